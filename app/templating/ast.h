#pragma once
// The parsed form of a template: expressions and statements. Internal.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "templating/value.h"

namespace ps::templating::detail {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
    enum class Kind {
        Literal,     // literal
        Name,        // name
        ListLit,     // children: items
        TupleLit,    // children: items (evaluates to a list)
        DictLit,     // children: key, value, key, value, ...
        Attribute,   // children[0] . name
        Item,        // children[0] [ children[1] ]
        Slice,       // children[0] [ children[1] : children[2] : children[3] ] (null = absent)
        Call,        // children[0] ( children[1..], kwargs )
        Filter,      // children[0] | name ( children[1..], kwargs ); children[0] null in filter blocks
        Test,        // children[0] is [not] name ( children[1..] )
        Unary,       // op children[0]   (op: "-", "+", "not")
        Binary,      // children[0] op children[1]   (arithmetic, "~", "and", "or")
        Compare,     // children[0] ops[0] children[1] ops[1] children[2] ...
        Conditional  // children[1] if children[0] else children[2] (children[2] may be null)
    };

    Kind kind;
    size_t line = 0;
    size_t column = 0;
    Value literal;
    std::string name;  // Name / Attribute / Filter / Test name, or the operator
    std::vector<std::string> ops;
    std::vector<ExprPtr> children;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
    bool negated = false;  // `is not`
    // Levels of this expression's tree (1 for a leaf); the parser keeps it under
    // limits::kMaxTemplateExpressionDepth, which bounds every walk of the tree.
    int height = 1;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
    enum class Kind {
        Text,         // text
        Output,       // {{ expr }}
        If,           // conditions[i] -> bodies[i]; elseBody
        For,          // for targets in expr [if condition]: body; elseBody
        Set,          // set targets = expr, or set targets[0].attribute = expr
        SetBlock,     // set targets[0] %}body{% endset
        Macro,        // macro name(params) body
        CallBlock,    // call(params) expr %}body{% endcall (expr is the call)
        FilterBlock,  // filter expr %}body{% endfilter (expr: filter chain on null)
        Break,
        Continue
    };

    Kind kind;
    size_t line = 0;
    size_t column = 0;
    std::string text;
    ExprPtr expr;
    ExprPtr condition;  // For: the `if` filter
    std::vector<ExprPtr> conditions;
    std::vector<Body> bodies;
    Body body;
    Body elseBody;
    std::vector<std::string> targets;
    std::string attribute;  // Set on a namespace attribute
    std::string name;       // Macro name
    std::vector<std::pair<std::string, ExprPtr>> params;  // Macro/CallBlock parameters
};

}  // namespace ps::templating::detail
