# line_plot: Classifier: test accuracy
# Data: test_accuracy.dat. Draw again from this folder with: gnuplot test_accuracy.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'test_accuracy.png'
set title "Classifier: test accuracy"
set xlabel "epoch"
set ylabel "accuracy"
set grid
set key top right box opaque
plot 'test_accuracy.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "test accuracy"
