#include "templating/variables.h"

#include <set>
#include <vector>

#include "templating/runtime.h"

namespace ps::templating::detail {

namespace {

class FreeVariableFinder {
public:
    std::map<std::string, SourcePosition> run(const Body& body) {
        scopes_.emplace_back();
        walk(body);
        return std::move(found_);
    }

private:
    void use(const std::string& name, size_t line, size_t column) {
        for (const auto& scope : scopes_) {
            if (scope.count(name)) return;
        }
        if (isGlobalName(name) || found_.count(name)) return;
        found_[name] = SourcePosition{line, column};
    }
    void bind(const std::string& name) { scopes_.back().insert(name); }

    void walk(const Body& body) {
        for (const NodePtr& node : body) walk(*node);
    }

    void walk(const Expr* expr) {
        if (!expr) return;
        if (expr->kind == Expr::Kind::Name) use(expr->name, expr->line, expr->column);
        for (const ExprPtr& child : expr->children) walk(child.get());
        for (const auto& kwarg : expr->kwargs) walk(kwarg.second.get());
    }

    void walkScoped(const std::vector<std::string>& names, const Body& body,
                    const Expr* condition = nullptr) {
        scopes_.emplace_back(names.begin(), names.end());
        walk(condition);
        walk(body);
        scopes_.pop_back();
    }

    void walk(const Node& node) {
        switch (node.kind) {
            case Node::Kind::Text:
            case Node::Kind::Break:
            case Node::Kind::Continue: return;
            case Node::Kind::Output: walk(node.expr.get()); return;
            case Node::Kind::If:
                for (size_t i = 0; i < node.conditions.size(); ++i) {
                    walk(node.conditions[i].get());
                    walk(node.bodies[i]);
                }
                walk(node.elseBody);
                return;
            case Node::Kind::For: {
                walk(node.expr.get());
                std::vector<std::string> names = node.targets;
                names.push_back("loop");
                walkScoped(names, node.body, node.condition.get());
                walk(node.elseBody);
                return;
            }
            case Node::Kind::Set:
                walk(node.expr.get());
                if (!node.attribute.empty()) {
                    use(node.targets[0], node.line, node.column);
                } else {
                    for (const auto& target : node.targets) bind(target);
                }
                return;
            case Node::Kind::SetBlock:
                walk(node.body);
                walk(node.expr.get());
                bind(node.targets[0]);
                return;
            case Node::Kind::Macro:
            case Node::Kind::CallBlock: {
                if (node.kind == Node::Kind::Macro) bind(node.name);
                else walk(node.expr.get());
                std::vector<std::string> names = {"varargs", "kwargs", "caller"};
                for (const auto& param : node.params) {
                    walk(param.second.get());
                    names.push_back(param.first);
                }
                walkScoped(names, node.body);
                return;
            }
            case Node::Kind::FilterBlock:
                walk(node.expr.get());
                walk(node.body);
                return;
        }
    }

    std::vector<std::set<std::string>> scopes_;
    std::map<std::string, SourcePosition> found_;
};

}  // namespace

std::map<std::string, SourcePosition> findFreeVariables(const Body& body) {
    return FreeVariableFinder().run(body);
}

}  // namespace ps::templating::detail
