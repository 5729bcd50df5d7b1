# line_plot: Test accuracy: the CNN beside the MLP
# Data: cnn_vs_mlp_accuracy.dat. Draw again from this folder with: gnuplot cnn_vs_mlp_accuracy.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'cnn_vs_mlp_accuracy.png'
set title "Test accuracy: the CNN beside the MLP"
set xlabel "epoch"
set ylabel "accuracy"
set grid
set key bottom right box opaque
plot 'cnn_vs_mlp_accuracy.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "CNN", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "MLP"
