# line_plot: Fashion-MNIST: mean losses per epoch
# Data: fashion_losses.dat. Draw again from this folder with: gnuplot fashion_losses.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'fashion_losses.png'
set title "Fashion-MNIST: mean losses per epoch"
set xlabel "epoch"
set ylabel "loss"
set grid
set key top right box opaque
plot 'fashion_losses.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "L_D (real + fake)", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "L_G (non-saturating)"
