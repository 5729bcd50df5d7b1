# line_plot: Stage 2 = a mixture of K Gaussians fitted by EM: FD of its decoded samples
# Data: latent_mixtures.dat. Draw again from this folder with: gnuplot latent_mixtures.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'latent_mixtures.png'
set title "Stage 2 = a mixture of K Gaussians fitted by EM: FD of its decoded samples"
set xlabel "components K"
set ylabel "FD"
set grid
set key below center horizontal box height 1
set xlabel offset 0, 0.2
set offsets 0, 0, graph 0.05, graph 0.05
set rmargin 14
set label "prior" at graph 1, first 24.7690299 left offset character 0.8, 0 tc rgb '#404040'
set label "GAN stage 2" at graph 1, first 19.08351331 left offset character 0.8, 0 tc rgb '#404040'
set label "q(z) itself" at graph 1, first 14.73865201 left offset character 0.8, 0 tc rgb '#404040'
plot 'latent_mixtures.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "mixture of K Gaussians (EM)", \
     24.7690299 with lines dt 2 lw 1.5 lc rgb '#606060' notitle, \
     19.08351331 with lines dt 2 lw 1.5 lc rgb '#606060' notitle, \
     14.73865201 with lines dt 2 lw 1.5 lc rgb '#606060' notitle
