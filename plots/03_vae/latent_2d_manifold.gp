# image_on_axes: The decoder over the 2-D latent plane: each cell decodes the z on its axes (normal quantiles)
# Data: latent_2d_manifold.dat. Draw again from this folder with: gnuplot latent_2d_manifold.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 802,772 noenhanced font 'Sans,11'
} else {
    set terminal png size 802,772 noenhanced
}
set output 'latent_2d_manifold.png'
set title "The decoder over the 2-D latent plane: each cell decodes the z on its axes (normal quantiles)"
set xlabel "z1"
set ylabel "z2"
set size ratio -1
set xrange [-0.5:601.5]
set yrange [-0.5:601.5]
set xtics ("-1.96" 15.5, "-1.44" 45.5, "-1.15" 75.5, "-0.93" 105.5, "-0.76" 135.5, "-0.60" 165.5, "-0.45" 195.5, "-0.32" 225.5, "-0.19" 255.5, "-0.06" 285.5, "0.06" 315.5, "0.19" 345.5, "0.32" 375.5, "0.45" 405.5, "0.60" 435.5, "0.76" 465.5, "0.93" 495.5, "1.15" 525.5, "1.44" 555.5, "1.96" 585.5) rotate by 90 right out nomirror
set ytics ("1.96" 585.5, "1.44" 555.5, "1.15" 525.5, "0.93" 495.5, "0.76" 465.5, "0.60" 435.5, "0.45" 405.5, "0.32" 375.5, "0.19" 345.5, "0.06" 315.5, "-0.06" 285.5, "-0.19" 255.5, "-0.32" 225.5, "-0.45" 195.5, "-0.60" 165.5, "-0.76" 135.5, "-0.93" 105.5, "-1.15" 75.5, "-1.44" 45.5, "-1.96" 15.5) out nomirror
unset key
plot 'latent_2d_manifold_tiles.png' binary filetype=png with rgbimage notitle
