# line_panels: Test -ELBO per pair, by the modalities observed (nats)
# Data: training_neg_elbo.dat. Draw again from this folder with: gnuplot training_neg_elbo.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 1320,420 noenhanced font 'Sans,10'
} else {
    set terminal png size 1320,420 noenhanced
}
set output 'training_neg_elbo.png'
set multiplot layout 1,3 title "Test -ELBO per pair, by the modalities observed (nats)"
set grid
set xlabel "epoch"
set title "joint: -ELBO(x, y)"
set ylabel "nats"
unset key
plot 'training_neg_elbo.dat' index 0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "joint"
set title "image only: -ELBO(x)"
set ylabel "nats"
unset key
plot 'training_neg_elbo.dat' index 1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "image"
set title "caption only: -ELBO(y)"
set ylabel "nats"
set key top right box opaque
plot 'training_neg_elbo.dat' index 2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "caption", \
     'training_neg_elbo.dat' index 3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "log 36 (the 36 captions, uniform)"
unset multiplot
