# scatter_panels: Generated points (orange) over the data (black) during training: minimax loss (top), non-saturating loss (bottom)
# Data: toy_samples.dat. Draw again from this folder with: gnuplot toy_samples.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 1560,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 1560,560 noenhanced
}
set output 'toy_samples.png'
set title "Generated points (orange) over the data (black) during training: minimax loss (top), non-saturating loss (bottom)"
unset title
set multiplot layout 2,6 title "Generated points (orange) over the data (black) during training: minimax loss (top), non-saturating loss (bottom)"
set size ratio -1
unset key
set tics font ',7'
set xrange [-3:3]
set yrange [-3:3]
set title "minimax, step 0"
plot 'toy_samples.dat' index 0 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 1 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "minimax, step 125"
plot 'toy_samples.dat' index 2 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 3 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "minimax, step 500"
plot 'toy_samples.dat' index 4 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 5 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "minimax, step 1000"
plot 'toy_samples.dat' index 6 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 7 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "minimax, step 2000"
plot 'toy_samples.dat' index 8 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 9 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "minimax, step 4000"
plot 'toy_samples.dat' index 10 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 11 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "non-saturating, step 0"
plot 'toy_samples.dat' index 12 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 13 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "non-saturating, step 125"
plot 'toy_samples.dat' index 14 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 15 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "non-saturating, step 500"
plot 'toy_samples.dat' index 16 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 17 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "non-saturating, step 1000"
plot 'toy_samples.dat' index 18 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 19 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "non-saturating, step 2000"
plot 'toy_samples.dat' index 20 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 21 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
set title "non-saturating, step 4000"
plot 'toy_samples.dat' index 22 using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \
     '' index 23 using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'
unset multiplot
