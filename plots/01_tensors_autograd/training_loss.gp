# line_plot: Classifier: training cross-entropy
# Data: training_loss.dat. Draw again from this folder with: gnuplot training_loss.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'training_loss.png'
set title "Classifier: training cross-entropy"
set xlabel "epoch"
set ylabel "nats"
set grid
set key top right box opaque
plot 'training_loss.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "train loss"
