# heatmap: A 4 x 5 image, pixels numbered
# Data: im2col_image.dat. Draw again from this folder with: gnuplot im2col_image.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 820,720 noenhanced font 'Sans,11'
} else {
    set terminal png size 820,720 noenhanced
}
set output 'im2col_image.png'
set title "A 4 x 5 image, pixels numbered"
set xlabel ""
set ylabel ""
set size ratio -1
set xrange [-0.5:4.5]
set yrange [3.5:-0.5]
set xtics ("col 0" 0, "col 1" 1, "col 2" 2, "col 3" 3, "col 4" 4) rotate by 40 right nomirror scale 0
set ytics ("row 0" 0, "row 1" 1, "row 2" 2, "row 3" 3) nomirror scale 0
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
set cbrange [0:20]
unset key
set label "1" at 0,0 center front tc rgb '#000000'
set label "2" at 1,0 center front tc rgb '#000000'
set label "3" at 2,0 center front tc rgb '#000000'
set label "4" at 3,0 center front tc rgb '#000000'
set label "5" at 4,0 center front tc rgb '#000000'
set label "6" at 0,1 center front tc rgb '#000000'
set label "7" at 1,1 center front tc rgb '#000000'
set label "8" at 2,1 center front tc rgb '#000000'
set label "9" at 3,1 center front tc rgb '#000000'
set label "10" at 4,1 center front tc rgb '#000000'
set label "11" at 0,2 center front tc rgb '#000000'
set label "12" at 1,2 center front tc rgb '#ffffff'
set label "13" at 2,2 center front tc rgb '#ffffff'
set label "14" at 3,2 center front tc rgb '#ffffff'
set label "15" at 4,2 center front tc rgb '#ffffff'
set label "16" at 0,3 center front tc rgb '#ffffff'
set label "17" at 1,3 center front tc rgb '#ffffff'
set label "18" at 2,3 center front tc rgb '#ffffff'
set label "19" at 3,3 center front tc rgb '#ffffff'
set label "20" at 4,3 center front tc rgb '#ffffff'
plot 'im2col_image.dat' using 1:2:3 with image
