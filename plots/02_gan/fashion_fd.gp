# line_plot: Fashion-MNIST: Frechet distance of 2000 samples to the test set, per epoch
# Data: fashion_fd.dat. Draw again from this folder with: gnuplot fashion_fd.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'fashion_fd.png'
set title "Fashion-MNIST: Frechet distance of 2000 samples to the test set, per epoch"
set xlabel "epoch"
set ylabel "FD (evaluator features)"
set grid
set key top right box opaque
plot 'fashion_fd.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "FD, 2000 samples"
