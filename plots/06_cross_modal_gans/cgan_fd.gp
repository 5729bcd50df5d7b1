# line_plot: Conditional GAN: FD of 1,000 caption-conditioned samples per epoch
# Data: cgan_fd.dat. Draw again from this folder with: gnuplot cgan_fd.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'cgan_fd.png'
set title "Conditional GAN: FD of 1,000 caption-conditioned samples per epoch"
set xlabel "epoch"
set ylabel "FD"
set grid
set key top right box opaque
plot 'cgan_fd.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "projection", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "concatenation"
