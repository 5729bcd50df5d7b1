# line_plot: KL(q(z|x) || p(z)) per image
# Data: kl_term.dat. Draw again from this folder with: gnuplot kl_term.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'kl_term.png'
set title "KL(q(z|x) || p(z)) per image"
set xlabel "epoch"
set ylabel "nats"
set grid
set key top right box opaque
plot 'kl_term.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "train", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "test"
