# line_plot: Predicted scaling efficiency of the VAE (652824 gradients)
# Data: scaling_efficiency.dat. Draw again from this folder with: gnuplot scaling_efficiency.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'scaling_efficiency.png'
set title "Predicted scaling efficiency of the VAE (652824 gradients)"
set xlabel "machines N (1 rank each)"
set ylabel "efficiency = speed-up / N"
set grid
set key below center horizontal box height 1
set xlabel offset 0, 0.2
plot 'scaling_efficiency.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "weak scaling, this machine's alpha-beta", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "strong scaling (global batch fixed), this machine's alpha-beta", \
     '' index 2 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#2ca02c' title "weak scaling, 10 Gb/s Ethernet (assumed)", \
     '' index 3 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#d62728' title "strong scaling, 10 Gb/s Ethernet (assumed)", \
     '' index 4 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#9467bd' title "measured here: compute / step"
