# line_plot: DCGAN: mean D(x) and D(G(z)) per epoch (D's view, before its step)
# Data: dcgan_d_outputs.dat. Draw again from this folder with: gnuplot dcgan_d_outputs.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'dcgan_d_outputs.png'
set title "DCGAN: mean D(x) and D(G(z)) per epoch (D's view, before its step)"
set xlabel "epoch"
set ylabel "probability of 'real'"
set grid
set key below center horizontal box height 1
set xlabel offset 0, 0.2
set offsets 0, 0, graph 0.05, graph 0.05
set rmargin 19
set label "1/2: equilibrium" at graph 1, first 0.5 left offset character 0.8, 0 tc rgb '#404040'
plot 'dcgan_d_outputs.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "D(x), real images", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "D(G(z)), generated", \
     0.5 with lines dt 2 lw 1.5 lc rgb '#606060' notitle
