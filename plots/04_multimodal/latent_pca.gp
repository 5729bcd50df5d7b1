# scatter_plot: Image-only posterior means of 5000 test images, first two principal axes
# Data: latent_pca.dat. Draw again from this folder with: gnuplot latent_pca.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'latent_pca.png'
set title "Image-only posterior means of 5000 test images, first two principal axes"
set xlabel "PC 1"
set ylabel "PC 2"
set grid
set key outside right top box
plot 'latent_pca.dat' index 0 using 1:2 with points pt 7 ps 0.6 lc rgb '#1f77b4' title "T-shirt/top", \
     '' index 1 using 1:2 with points pt 7 ps 0.6 lc rgb '#ff7f0e' title "Trouser", \
     '' index 2 using 1:2 with points pt 7 ps 0.6 lc rgb '#2ca02c' title "Pullover", \
     '' index 3 using 1:2 with points pt 7 ps 0.6 lc rgb '#d62728' title "Dress", \
     '' index 4 using 1:2 with points pt 7 ps 0.6 lc rgb '#9467bd' title "Coat", \
     '' index 5 using 1:2 with points pt 7 ps 0.6 lc rgb '#8c564b' title "Sandal", \
     '' index 6 using 1:2 with points pt 7 ps 0.6 lc rgb '#e377c2' title "Shirt", \
     '' index 7 using 1:2 with points pt 7 ps 0.6 lc rgb '#7f7f7f' title "Sneaker", \
     '' index 8 using 1:2 with points pt 7 ps 0.6 lc rgb '#bcbd22' title "Bag", \
     '' index 9 using 1:2 with points pt 7 ps 0.6 lc rgb '#17becf' title "Ankle boot"
