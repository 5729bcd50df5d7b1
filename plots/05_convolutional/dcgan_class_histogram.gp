# bar_chart: Classes the evaluator assigns to 10000 DCGAN samples
# Data: dcgan_class_histogram.dat. Draw again from this folder with: gnuplot dcgan_class_histogram.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'dcgan_class_histogram.png'
set title "Classes the evaluator assigns to 10000 DCGAN samples"
set ylabel "% of samples"
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set xrange [-0.6:9.6]
set yrange [0:24.932]
set xtics rotate by 30 right scale 0
set key top right
plot 'dcgan_class_histogram.dat' using 1:2:xtic(3) with boxes lc rgb '#1f77b4' title 'samples', \
     5 with lines dt 2 lw 2 lc rgb '#d62728' title "5% threshold"
