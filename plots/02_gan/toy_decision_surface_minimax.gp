# decision_surface: D(x) after training, minimax generator loss
# Data: toy_decision_surface_minimax.dat. Draw again from this folder with: gnuplot toy_decision_surface_minimax.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,640 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,640 noenhanced
}
set output 'toy_decision_surface_minimax.png'
set title "D(x) after training, minimax generator loss"
set xlabel 'x1'
set ylabel 'x2'
set xrange [-3.025:3.025]
set yrange [-3.025:3.025]
set cblabel "D(x)"
set palette defined (0 '#b2182b', 0.25 '#ef8a62', 0.5 '#f7f7f7', 0.75 '#67a9cf', 1 '#2166ac')
set cbrange [0:1]
set size ratio -1
set bmargin 6
set key at screen 0.5, 0.015 center bottom horizontal box opaque
plot 'toy_decision_surface_minimax.dat' index 0 using 1:2:3 with image notitle, \
     '' index 1 using 1:2 with points pt 7 ps 0.7 lc rgb '#000000' title "data", \
     '' index 2 using 1:2 with points pt 9 ps 0.9 lc rgb '#ffd700' title "G(z)"
