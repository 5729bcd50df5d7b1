# line_plot: Generation across modalities during training
# Data: training_coherence.dat. Draw again from this folder with: gnuplot training_coherence.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'training_coherence.png'
set title "Generation across modalities during training"
set xlabel "epoch"
set ylabel "fraction"
set grid
set key top right box opaque
plot 'training_coherence.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "text -> image coherence", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "caption accuracy (image -> text)", \
     '' index 2 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#2ca02c' title "joint coherence (prior samples)"
