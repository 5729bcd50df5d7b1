# line_plot: VAE-GAN: training terms per epoch (nats per image; L_D, adv per image)
# Data: vaegan_losses.dat. Draw again from this folder with: gnuplot vaegan_losses.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'vaegan_losses.png'
set title "VAE-GAN: training terms per epoch (nats per image; L_D, adv per image)"
set xlabel "epoch"
set ylabel "mean"
set grid
set key top right box opaque
plot 'vaegan_losses.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "L_D", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "adversarial", \
     '' index 2 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#2ca02c' title "KL"
