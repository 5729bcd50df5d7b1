# line_plot: The autoencoder's codes per dimension, against N(0, I)
# Data: ae_code_statistics.dat. Draw again from this folder with: gnuplot ae_code_statistics.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'ae_code_statistics.png'
set title "The autoencoder's codes per dimension, against N(0, I)"
set xlabel "latent dimension"
set ylabel "value"
set grid
set key top right box opaque
plot 'ae_code_statistics.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "mean of the codes", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "std of the codes", \
     '' index 2 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#2ca02c' title "prior std (1)"
