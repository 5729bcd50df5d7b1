# line_plot: Conditional GAN: losses per epoch (projection D)
# Data: cgan_losses.dat. Draw again from this folder with: gnuplot cgan_losses.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'cgan_losses.png'
set title "Conditional GAN: losses per epoch (projection D)"
set xlabel "epoch"
set ylabel "mean loss"
set grid
set key top right box opaque
plot 'cgan_losses.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "L_D", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "L_G", \
     '' index 2 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#2ca02c' title "L_D (concatenation D)", \
     '' index 3 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#d62728' title "L_G (concatenation D)"
