#pragma once
// The computation graph behind a tensor, drawn: Graphviz DOT text with one node per tensor and
// an arrow from each input to the output of the op that used it, so the picture reads top to
// bottom in the order the forward pass ran (backward() walks the same arrows upwards).
//
//   a leaf that needs a gradient (a parameter)   filled box: its name and shape
//   an op's output                               ellipse: the op's name and the output's shape
//   an input that needs no gradient              dashed box: data, noise, targets — recorded
//                                                only while a RecordConstantsGuard lives
//   the root (the loss)                          drawn with a double outline
//
// An input used twice (x * x) gets two arrows. `names` labels tensors ("encoder.0.weight",
// "x", "ε"); an unnamed tensor is labelled with the op that computed it ("leaf" for a leaf). Render with
//   dot -Tpng graph.dot -o graph.png
#include <string>
#include <utility>
#include <vector>

#include <mmgen/core/tensor.hpp>

namespace mmgen {

std::string graph_dot(const Tensor& root, const std::vector<std::pair<std::string, Tensor>>& names = {},
                      const std::string& title = "");

}  // namespace mmgen
