# line_plot: Toy: mean D(x) on real points and D(G(z)) on generated points (dashed: both at the equilibrium)
# Data: toy_d_outputs.dat. Draw again from this folder with: gnuplot toy_d_outputs.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'toy_d_outputs.png'
set title "Toy: mean D(x) on real points and D(G(z)) on generated points (dashed: both at the equilibrium)"
set xlabel "step"
set ylabel "probability of 'real'"
set grid
set key below center horizontal box height 1
set xlabel offset 0, 0.2
set offsets 0, 0, graph 0.05, graph 0.05
set rmargin 6
set label "1/2" at graph 1, first 0.5 left offset character 0.8, 0 tc rgb '#404040'
plot 'toy_d_outputs.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "minimax: D(x)", \
     '' index 1 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "minimax: D(G(z))", \
     '' index 2 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "non-saturating: D(x)", \
     '' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' title "non-saturating: D(G(z))", \
     0.5 with lines dt 2 lw 1.5 lc rgb '#606060' notitle
