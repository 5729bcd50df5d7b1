# line_plot: Two-stage sampler: FD of 1,000 samples per epoch of stage 2
# Data: latent_fd.dat. Draw again from this folder with: gnuplot latent_fd.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'latent_fd.png'
set title "Two-stage sampler: FD of 1,000 samples per epoch of stage 2"
set xlabel "epoch"
set ylabel "FD"
set grid
set key top right box opaque
plot 'latent_fd.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "two-stage", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "VAE prior (no stage 2)"
