# heatmap: im2col: one column per 3 x 3 window, one row per kernel tap
# Data: im2col_columns.dat. Draw again from this folder with: gnuplot im2col_columns.gp
set encoding utf8
if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {
    set terminal pngcairo size 820,720 noenhanced font 'Sans,11'
} else {
    set terminal png size 820,720 noenhanced
}
set output 'im2col_columns.png'
set title "im2col: one column per 3 x 3 window, one row per kernel tap"
set xlabel "window (output position)"
set ylabel "kernel tap"
set size ratio -1
set xrange [-0.5:5.5]
set yrange [8.5:-0.5]
set xtics ("(0,0)" 0, "(0,1)" 1, "(0,2)" 2, "(1,0)" 3, "(1,1)" 4, "(1,2)" 5) rotate by 40 right nomirror scale 0
set ytics ("tap (0,0)" 0, "tap (0,1)" 1, "tap (0,2)" 2, "tap (1,0)" 3, "tap (1,1)" 4, "tap (1,2)" 5, "tap (2,0)" 6, "tap (2,1)" 7, "tap (2,2)" 8) nomirror scale 0
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
set cbrange [0:20]
unset key
set label "1" at 0,0 center front tc rgb '#000000'
set label "2" at 1,0 center front tc rgb '#000000'
set label "3" at 2,0 center front tc rgb '#000000'
set label "6" at 3,0 center front tc rgb '#000000'
set label "7" at 4,0 center front tc rgb '#000000'
set label "8" at 5,0 center front tc rgb '#000000'
set label "2" at 0,1 center front tc rgb '#000000'
set label "3" at 1,1 center front tc rgb '#000000'
set label "4" at 2,1 center front tc rgb '#000000'
set label "7" at 3,1 center front tc rgb '#000000'
set label "8" at 4,1 center front tc rgb '#000000'
set label "9" at 5,1 center front tc rgb '#000000'
set label "3" at 0,2 center front tc rgb '#000000'
set label "4" at 1,2 center front tc rgb '#000000'
set label "5" at 2,2 center front tc rgb '#000000'
set label "8" at 3,2 center front tc rgb '#000000'
set label "9" at 4,2 center front tc rgb '#000000'
set label "10" at 5,2 center front tc rgb '#000000'
set label "6" at 0,3 center front tc rgb '#000000'
set label "7" at 1,3 center front tc rgb '#000000'
set label "8" at 2,3 center front tc rgb '#000000'
set label "11" at 3,3 center front tc rgb '#000000'
set label "12" at 4,3 center front tc rgb '#ffffff'
set label "13" at 5,3 center front tc rgb '#ffffff'
set label "7" at 0,4 center front tc rgb '#000000'
set label "8" at 1,4 center front tc rgb '#000000'
set label "9" at 2,4 center front tc rgb '#000000'
set label "12" at 3,4 center front tc rgb '#ffffff'
set label "13" at 4,4 center front tc rgb '#ffffff'
set label "14" at 5,4 center front tc rgb '#ffffff'
set label "8" at 0,5 center front tc rgb '#000000'
set label "9" at 1,5 center front tc rgb '#000000'
set label "10" at 2,5 center front tc rgb '#000000'
set label "13" at 3,5 center front tc rgb '#ffffff'
set label "14" at 4,5 center front tc rgb '#ffffff'
set label "15" at 5,5 center front tc rgb '#ffffff'
set label "11" at 0,6 center front tc rgb '#000000'
set label "12" at 1,6 center front tc rgb '#ffffff'
set label "13" at 2,6 center front tc rgb '#ffffff'
set label "16" at 3,6 center front tc rgb '#ffffff'
set label "17" at 4,6 center front tc rgb '#ffffff'
set label "18" at 5,6 center front tc rgb '#ffffff'
set label "12" at 0,7 center front tc rgb '#ffffff'
set label "13" at 1,7 center front tc rgb '#ffffff'
set label "14" at 2,7 center front tc rgb '#ffffff'
set label "17" at 3,7 center front tc rgb '#ffffff'
set label "18" at 4,7 center front tc rgb '#ffffff'
set label "19" at 5,7 center front tc rgb '#ffffff'
set label "13" at 0,8 center front tc rgb '#ffffff'
set label "14" at 1,8 center front tc rgb '#ffffff'
set label "15" at 2,8 center front tc rgb '#ffffff'
set label "18" at 3,8 center front tc rgb '#ffffff'
set label "19" at 4,8 center front tc rgb '#ffffff'
set label "20" at 5,8 center front tc rgb '#ffffff'
plot 'im2col_columns.dat' using 1:2:3 with image
