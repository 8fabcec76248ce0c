// The Go cases' module: standard library only, built offline (cases/CMakeLists.txt).
module deferlab/godefer

go 1.19
