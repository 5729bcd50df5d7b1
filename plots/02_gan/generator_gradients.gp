# line_plot: Generator's gradient w.r.t. D's logit: |dL_G/dl| against D(G(z)) (autograd through the losses)
# Data: generator_gradients.dat. Draw again from this folder with: gnuplot generator_gradients.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'generator_gradients.png'
set title "Generator's gradient w.r.t. D's logit: |dL_G/dl| against D(G(z)) (autograd through the losses)"
set xlabel "D(G(z))  (0: D is sure the sample is fake)"
set ylabel "|dL_G / dlogit|"
set grid
set key top right box opaque
plot 'generator_gradients.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "minimax  log(1 - D(G(z)))", \
     '' index 1 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "non-saturating  -log D(G(z))"
