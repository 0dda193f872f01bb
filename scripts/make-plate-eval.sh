#!/usr/bin/env bash
# Builds the synthetic plate evaluation set: plates rendered with ffmpeg, warped in perspective
# and composited onto real photographs from Debian's opencv-doc and libdlib-dev examples, then
# blurred, noised, darkened and JPEG-compressed. Deterministic (fixed seed). The plates are
# SYNTHETIC; the backgrounds are third-party photos, so the set is generated here, never committed.
#
# Version 3 carries what real plates carry (a 99% score on flat one-font plates predicted 4-27% on
# real photos): Pakistani plates (Sindh one-line under SINDH; Punjab two-line with a green band
# and PUNJAB; Islamabad with ICT-ISLAMABAD below; old black ICT plates with white italic letters;
# three-row motorcycle plates; green government plates; every letter, I, O and U included) and
# US (state name, slogan), European (blue band, country letter) and Brazilian (BRASIL band)
# plates, in seven fonts, with frames and screws, dirt, shop signs and stickers beside the car,
# and small plates in 1920x1080 pictures.
# Usage: make-plate-eval.sh OUTDIR [COUNT] [SEED] [SCENE]
#   another SEED gives a held-out set; SCENE is the picture size (default 1280x720; the plates keep
#   their widths, so a large SCENE is a high-resolution photo with distant plates).
# labels.csv: file,text,x,y,w,h,lines,condition,region,kind (text: letters and digits as registered).
set -euo pipefail
OUT=${1:?output directory}; COUNT=${2:-120}; SEED=${3:-20261126}; SCENE=${4:-1280x720}
mkdir -p "$OUT"
VERSION="3 $SEED $SCENE"
if [ -f "$OUT/labels.csv" ] && [ "$(cat "$OUT/.version" 2>/dev/null)" = "$VERSION" ] \
   && [ "$(($(wc -l <"$OUT/labels.csv") - 1))" -eq "$COUNT" ]; then exit 0; fi
BACKS=()
for f in aero1 aero3 building home leuvenA leuvenB messi5 ela_original fruits baboon board; do
  p=/usr/share/doc/opencv-doc/examples/data/$f.jpg; [ -f "$p" ] && BACKS+=("$p")
done
for p in /usr/share/doc/libdlib19.1/examples/faces/*.jpg; do BACKS+=("$p"); done
[ ${#BACKS[@]} -gt 0 ] || { echo "make-plate-eval: no background photos (apt-get install opencv-doc libdlib-dev)" >&2; exit 1; }
T=/usr/share/fonts/truetype
FONTS=()
for f in dejavu/DejaVuSans-Bold dejavu/DejaVuSansCondensed-Bold liberation2/LiberationSans-Bold liberation2/LiberationMono-Bold \
         freefont/FreeSansBold freefont/FreeMonoBold dejavu/DejaVuSerif-Bold; do
  [ -f "$T/$f.ttf" ] && FONTS+=("$T/$f.ttf")
done
ITALIC=$T/dejavu/DejaVuSans-BoldOblique.ttf; [ -f "$ITALIC" ] || ITALIC=${FONTS[0]}
SMALLFONT=$T/dejavu/DejaVuSans-Bold.ttf

RANDOM=$SEED
LETTERS=ABCDEFGHIJKLMNOPQRSTUVWXYZ   # real series use every letter (RIS, LEI, AUU, LZO)
# These set REPLY instead of printing: $(...) subshells reseed RANDOM and would break determinism.
rnd() { REPLY=$((RANDOM % ($2 - $1 + 1) + $1)); }
pick() { local a=("$@"); REPLY=${a[$((RANDOM % ${#a[@]}))]}; }
letters() { REPLY=""; for _ in $(seq "$1"); do REPLY+=${LETTERS:$((RANDOM % ${#LETTERS})):1}; done; }
digits() { REPLY=""; for _ in $(seq "$1"); do REPLY+=$((RANDOM % 10)); done; }
# A centred text row: text size colour top [font].
row() { REPLY="drawtext=fontfile=${5:-$FONT}:text='$1':fontsize=$2:fontcolor=$3:x=(w-tw)/2+${XOFF:-0}:y=$4"; }

rm -f "$OUT/.version"
echo "file,text,x,y,w,h,lines,condition,region,kind" >"$OUT/labels.csv"
for i in $(seq -w 1 "$COUNT"); do
  pick "${FONTS[@]}"; FONT=$REPLY
  XOFF=0; band=""; lines=1; fg=black
  rnd 0 9; r=$REPLY
  if [ "$r" -lt 5 ]; then
    region=pk
    rnd 0 5; k=$REPLY
    case $k in
      0) kind=sindh; pick 0xF2C500 0xF4F4F0; bg=$REPLY; letters 3; a=$REPLY; digits $((RANDOM % 2 + 3)); d=$REPLY
         text=$a$d; PW=520; PH=140
         row SINDH 20 black 6 "$SMALLFONT"; s1=$REPLY; row "$a-$d" 84 black 34; draw="$s1,$REPLY" ;;
      1) kind=punjab-2line; bg=0xF4F4F0; letters 3; a=$REPLY; digits 4; d=$REPLY; text=$a$d; lines=2; PW=330; PH=230
         band="drawbox=x=0:y=0:w=56:h=ih:c=0x1E6B35:t=fill,"; XOFF=24
         row "$a" 82 black 14; s1=$REPLY; row "$d" 82 black 104; s2=$REPLY; row PUNJAB 22 black 196 "$SMALLFONT"
         draw="$s1,$s2,$REPLY" ;;
      2) kind=ict; bg=0xF4F4F0; letters 3; a=$REPLY; digits 3; d=$REPLY; text=$a$d; PW=480; PH=150
         row "$a-$d" 84 black 12; s1=$REPLY; row ICT-ISLAMABAD 22 black 112 "$SMALLFONT"; draw="$s1,$REPLY" ;;
      3) kind=ict-black-italic; bg=0x111111; fg=white; letters 3; a=$REPLY; digits 4; d=$REPLY; text=$a$d; PW=520; PH=130
         row "$a $d" 84 white 22 "$ITALIC"; draw=$REPLY ;;
      4) kind=motorcycle-3row; pick 0xF4F4F0 0xF2C500; bg=$REPLY; letters 3; a=$REPLY; digits 3; d=$REPLY; text=$a$d; lines=2
         PW=230; PH=200; row "$a" 70 black 8; s1=$REPLY; row "$d" 70 black 80; s2=$REPLY; pick ICT-ISLD SINDH PUNJAB
         row "$REPLY" 24 black 162 "$SMALLFONT"; draw="$s1,$s2,$REPLY" ;;
      *) kind=govt-2letter; bg=0x1E6B35; fg=white; letters 2; a=$REPLY; digits 4; d=$REPLY; text=$a$d; PW=480; PH=140
         row GOVT 20 white 6 "$SMALLFONT"; s1=$REPLY; row "$a-$d" 84 white 34; draw="$s1,$REPLY" ;;
    esac
  elif [ "$r" -lt 7 ]; then
    region=us; kind=us; bg=0xF4F4F0; PW=480; PH=240
    pick CALIFORNIA TEXAS FLORIDA OHIO ARIZONA; state=$REPLY
    if [ $((RANDOM % 2)) = 0 ]; then digits 1; text=$REPLY; letters 3; text+=$REPLY; digits 3; text+=$REPLY; shown=$text
    else letters 3; text=$REPLY; digits 4; text+=$REPLY; shown=${text:0:3}-${text:3}; fi
    row "$state" 40 0xB01E23 14 "$SMALLFONT"; s1=$REPLY; row "$shown" 100 0x1A2A6C 72; s2=$REPLY
    pick "dmv.ca.gov" "Sunshine State" "Grand Canyon State"; row "$REPLY" 24 0x1A2A6C 196 "$SMALLFONT"
    draw="$s1,$s2,$REPLY"
  elif [ "$r" -lt 9 ]; then
    region=eu; kind=eu; bg=0xF4F4F0; PW=620; PH=130; XOFF=26
    band="drawbox=x=0:y=0:w=60:h=ih:c=0x003399:t=fill,drawtext=fontfile=$SMALLFONT:text=EU:fontsize=22:fontcolor=0xFFCC00:x=12:y=18,"
    case $((RANDOM % 3)) in
      0) letters 2; a=$REPLY; digits 3; d=$REPLY; letters 2; text=$a$d$REPLY; shown="$a $d $REPLY"; c=I ;;   # Italy-style
      1) letters 1; a=$REPLY; letters 2; b=$REPLY; digits 4; d=$REPLY; text=$a$b$d; shown="$a $b $d"; c=D ;;
      *) letters 2; a=$REPLY; digits 3; d=$REPLY; letters 2; text=$a$d$REPLY; shown="$a-$d-$REPLY"; c=F ;;
    esac
    band+="drawtext=fontfile=$SMALLFONT:text=$c:fontsize=36:fontcolor=white:x=18:y=72,"
    row "$shown" 92 black 18 "$T/dejavu/DejaVuSansCondensed-Bold.ttf"; draw=$REPLY
  else
    region=br; kind=mercosul; bg=0xF4F4F0; PW=520; PH=170
    band="drawbox=x=0:y=0:w=iw:h=38:c=0x003399:t=fill,drawtext=fontfile=$SMALLFONT:text=BRASIL:fontsize=24:fontcolor=white:x=(w-tw)/2:y=7,"
    letters 3; a=$REPLY; digits 1; b=$REPLY; letters 1; c=$REPLY; digits 2; text=$a$b$c$REPLY; shown=$text
    row "$shown" 100 black 52; draw=$REPLY
  fi
  # Frame and two screws; dirt on a fifth of the plates.
  extra="drawbox=x=0:y=0:w=iw:h=ih:c=0x202020:t=5,drawbox=x=iw*0.22:y=8:w=10:h=10:c=0x808080:t=fill,drawbox=x=iw*0.76:y=8:w=10:h=10:c=0x808080:t=fill"
  if [ $((RANDOM % 5)) = 0 ]; then
    rnd 0 $((PW - 80)); dx=$REPLY; rnd 0 $((PH - 40)); dy=$REPLY
    extra+=",drawbox=x=$dx:y=$dy:w=90:h=40:c=0x5A4630@0.45:t=fill"
  fi
  m=30                                   # transparent margin around the plate for the warp
  j=$((PH / 6))                          # corner jitter: mild perspective
  dx=(); for _ in 0 1 2 3 4 5 6 7; do rnd -$j $j; dx+=("$REPLY"); done
  X0=$((m + dx[0])); Y0=$((m + dx[1])); X1=$((m + PW + dx[2])); Y1=$((m + dx[3]))
  X2=$((m + dx[4])); Y2=$((m + PH + dx[5])); X3=$((m + PW + dx[6])); Y3=$((m + PH + dx[7]))
  # A fifth of the pictures are 1920x1080 with a small, distant plate (60-120 px wide).
  SW=${SCENE%x*}; SH=${SCENE#*x}
  if [ "$SCENE" = 1280x720 ] && [ $((RANDOM % 5)) = 0 ]; then SW=1920; SH=1080; rnd 60 120; target=$REPLY
  else rnd 100 330; target=$REPLY; fi
  [ $PW -lt 340 ] && target=$((target * 2 / 3))
  [ $target -lt 50 ] && target=50
  scale=$(echo "$target / ($PW + 2 * $m)" | bc -l)
  TW=$(printf '%.0f' "$(echo "($PW + 2 * $m) * $scale" | bc -l)"); TW=$((TW / 2 * 2))
  rnd 40 $((SW - TW - 40)); ox=$REPLY; rnd 200 $((SH - 200)); oy=$REPLY
  # The label is the plate's own extent: the same warp applied to a white plate on a black
  # margin, measured by ffmpeg's bbox filter (the quad corners above include the margin).
  ext=$(ffmpeg -hide_banner -nostats -f lavfi -i "color=c=white:s=${PW}x${PH}" -filter_complex \
    "format=rgba,pad=iw+$((2 * m)):ih+$((2 * m)):$m:$m:color=black@0,perspective=x0=$X0:y0=$Y0:x1=$X1:y1=$Y1:x2=$X2:y2=$Y2:x3=$X3:y3=$Y3:sense=destination,scale=$TW:-1,format=rgb24,bbox=min_val=128" \
    -frames:v 1 -f null - 2>&1 | grep -o 'crop=[0-9:]*' | tail -1)
  IFS=: read -r bw bh bx by <<<"${ext#crop=}"
  bx=$((ox + bx)); by=$((oy + by))
  # Scene text beside the car on a third of the pictures: shop signs and stickers, some plate-like.
  scenetext=""
  if [ $((RANDOM % 3)) = 0 ]; then
    pick "PIZZA HUT" "OPEN 24H" "SALE 50" "HOTEL 5 STAR" "A1 BAKERS" "TEL 021-3456" "ROUTE 66" "NO PARKING"; sign=$REPLY
    pick white yellow black; sc=$REPLY
    if [ $oy -gt $((SH / 2)) ]; then sy=40; else sy=$((SH - 120)); fi
    rnd 40 $((SW / 2)); sx=$REPLY
    scenetext=",drawbox=x=$((sx - 10)):y=$((sy - 10)):w=$(( ${#sign} * 34 + 20 )):h=76:c=0x7A1010:t=fill,drawtext=fontfile=$SMALLFONT:text='$sign':fontsize=52:fontcolor=$sc:x=$sx:y=$sy"
  fi
  case $((RANDOM % 5)) in
    0) post="null"; cond=clean; q=3 ;;
    1) post="gblur=sigma=1.0"; cond=blur; q=5 ;;
    2) post="noise=alls=14:allf=t"; cond=noise; q=5 ;;
    3) post="eq=brightness=-0.28:contrast=0.65,noise=alls=10:allf=t"; cond=night; q=6 ;;
    *) post="gblur=sigma=0.6"; cond=jpeg; q=18 ;;
  esac
  back=${BACKS[$((RANDOM % ${#BACKS[@]}))]}
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=$bg:s=${PW}x${PH}" -i "$back" -filter_complex \
    "[0]$band$draw,$extra,format=rgba,pad=iw+$((2 * m)):ih+$((2 * m)):$m:$m:color=black@0,perspective=x0=$X0:y0=$Y0:x1=$X1:y1=$Y1:x2=$X2:y2=$Y2:x3=$X3:y3=$Y3:sense=destination,scale=$TW:-1[p];[1]scale=$SW:$SH:force_original_aspect_ratio=increase,crop=$SW:$SH,format=rgb24$scenetext[b];[b][p]overlay=$ox:$oy:format=auto,$post" \
    -frames:v 1 -q:v $q "$OUT/plate-$i.jpg"
  echo "plate-$i.jpg,$text,$bx,$by,$bw,$bh,$lines,$cond,$region,$kind" >>"$OUT/labels.csv"
done
echo "$VERSION" >"$OUT/.version"
