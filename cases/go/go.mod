module deferlab/godefer

go 1.19
