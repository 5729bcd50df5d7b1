# line_plot: Toy: modes covered (>= 1% of 2000 samples within 3 sigma)
# Data: toy_modes.dat. Draw again from this folder with: gnuplot toy_modes.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'toy_modes.png'
set title "Toy: modes covered (>= 1% of 2000 samples within 3 sigma)"
set xlabel "step"
set ylabel "modes covered (of 8)"
set grid
set key below center horizontal box height 1
set xlabel offset 0, 0.2
plot 'toy_modes.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "minimax", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "non-saturating"
