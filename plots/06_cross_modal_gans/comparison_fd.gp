# bar_chart: FD to the test set (10,000 samples each; lower is better)
# Data: comparison_fd.dat. Draw again from this folder with: gnuplot comparison_fd.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'comparison_fd.png'
set title "FD to the test set (10,000 samples each; lower is better)"
set ylabel "FD"
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set xrange [-0.6:7.6]
set yrange [0:54.9472]
set xtics rotate by 30 right scale 0
set key top right
plot 'comparison_fd.dat' using 1:2:xtic(3) with boxes lc rgb '#1f77b4' title 'samples'
