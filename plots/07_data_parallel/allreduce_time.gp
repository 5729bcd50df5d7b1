# line_plot: MPI_Allreduce on 2 ranks of this machine, and the fitted alpha-beta model
# Data: allreduce_time.dat. Draw again from this folder with: gnuplot allreduce_time.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'allreduce_time.png'
set title "MPI_Allreduce on 2 ranks of this machine, and the fitted alpha-beta model"
set xlabel "log2(values summed)"
set ylabel "milliseconds"
set grid
set key top right box opaque
set logscale y
plot 'allreduce_time.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "measured (median)", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "ring model, fitted alpha and beta"
