# line_plot: Toy: discriminator and generator losses (means over windows of steps)
# Data: toy_losses.dat. Draw again from this folder with: gnuplot toy_losses.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'toy_losses.png'
set title "Toy: discriminator and generator losses (means over windows of steps)"
set xlabel "step"
set ylabel "loss"
set grid
set key top right box opaque
plot 'toy_losses.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "minimax: L_D", \
     '' index 1 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "minimax: L_G", \
     '' index 2 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "non-saturating: L_D", \
     '' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' title "non-saturating: L_G"
