# line_plot: DCGAN: mean losses per epoch
# Data: dcgan_losses.dat. Draw again from this folder with: gnuplot dcgan_losses.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'dcgan_losses.png'
set title "DCGAN: mean losses per epoch"
set xlabel "epoch"
set ylabel "loss"
set grid
set key below center horizontal box height 1
set xlabel offset 0, 0.2
set offsets 0, 0, graph 0.05, graph 0.05
set rmargin 30
set label "2 log 2: L_D at equilibrium" at graph 1, first 1.386294361 left offset character 0.8, 0 tc rgb '#404040'
set label "log 2: L_G at equilibrium" at graph 1, first 0.6931471806 left offset character 0.8, 0 tc rgb '#404040'
plot 'dcgan_losses.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "L_D (real + fake)", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "L_G (non-saturating)", \
     1.386294361 with lines dt 2 lw 1.5 lc rgb '#606060' notitle, \
     0.6931471806 with lines dt 2 lw 1.5 lc rgb '#606060' notitle
