# line_plot: DCGAN: Frechet distance of 2000 samples to the test set, per epoch
# Data: dcgan_fd.dat. Draw again from this folder with: gnuplot dcgan_fd.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'dcgan_fd.png'
set title "DCGAN: Frechet distance of 2000 samples to the test set, per epoch"
set xlabel "epoch"
set ylabel "FD (evaluator features)"
set grid
set key below center horizontal box height 1
set xlabel offset 0, 0.2
set offsets 0, 0, graph 0.05, graph 0.05
set rmargin 40
set label "chapter 02's MLP GAN (10,000 samples)" at graph 1, first 30.26612354 left offset character 0.8, 0 tc rgb '#404040'
set label "the target: half the MLP GAN's" at graph 1, first 15.13306177 left offset character 0.8, 0 tc rgb '#404040'
plot 'dcgan_fd.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "DCGAN, FD of 2000 samples", \
     30.26612354 with lines dt 2 lw 1.5 lc rgb '#606060' notitle, \
     15.13306177 with lines dt 2 lw 1.5 lc rgb '#606060' notitle
