# line_plot: Conditional GAN: the truncation trick |z_i| <= t (untruncated: class 0.946, diversity 0.756)
# Data: cgan_truncation.dat. Draw again from this folder with: gnuplot cgan_truncation.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 900,560 noenhanced font 'Sans,11'
} else {
    set terminal png size 900,560 noenhanced
}
set output 'cgan_truncation.png'
set title "Conditional GAN: the truncation trick |z_i| <= t (untruncated: class 0.946, diversity 0.756)"
set xlabel "threshold t"
set ylabel "score"
set grid
set key below center horizontal box height 1
set xlabel offset 0, 0.2
plot 'cgan_truncation.dat' index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "class coherence", \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#ff7f0e' title "tone coherence", \
     '' index 2 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#2ca02c' title "diversity (1 = the data's)"
