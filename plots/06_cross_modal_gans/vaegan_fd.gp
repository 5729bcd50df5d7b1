# line_plot: VAE-GAN: FD of 1,000 prior samples per epoch
# Data: vaegan_fd.dat. Draw again from this folder with: gnuplot vaegan_fd.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'vaegan_fd.png'
set title "VAE-GAN: FD of 1,000 prior samples per epoch"
set xlabel "epoch"
set ylabel "FD"
set grid
set key top right box opaque
plot 'vaegan_fd.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "VAE-GAN"
