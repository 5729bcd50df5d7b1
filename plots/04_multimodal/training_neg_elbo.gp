# line_plot: Test -ELBO per pair (nats, log scale), by the modalities observed
# Data: training_neg_elbo.dat. Draw again from this folder with: gnuplot training_neg_elbo.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'training_neg_elbo.png'
set title "Test -ELBO per pair (nats, log scale), by the modalities observed"
set xlabel "epoch"
set ylabel "nats"
set grid
set key top right box opaque
set logscale y
plot 'training_neg_elbo.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "joint: -ELBO(x, y)", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "image only: -ELBO(x)", \
     '' index 2 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#2ca02c' title "caption only: -ELBO(y)"
