# line_plot: Conv VAE: -ELBO per image (nats)
# Data: vae_neg_elbo.dat. Draw again from this folder with: gnuplot vae_neg_elbo.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'vae_neg_elbo.png'
set title "Conv VAE: -ELBO per image (nats)"
set xlabel "epoch"
set ylabel "nats"
set grid
set key top right box opaque
plot 'vae_neg_elbo.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "train", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "test"
