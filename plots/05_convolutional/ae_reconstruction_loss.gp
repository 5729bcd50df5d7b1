# line_plot: Autoencoder: -log p(x | x̂) per image
# Data: ae_reconstruction_loss.dat. Draw again from this folder with: gnuplot ae_reconstruction_loss.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'ae_reconstruction_loss.png'
set title "Autoencoder: -log p(x | x̂) per image"
set xlabel "epoch"
set ylabel "nats"
set grid
set key top right box opaque
plot 'ae_reconstruction_loss.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "train", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "test"
