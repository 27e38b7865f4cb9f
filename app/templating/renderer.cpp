#include "templating/renderer.h"

#include <unordered_map>

#include "limits/resource_limits.h"
#include "templating/nesting_guard.h"
#include "templating/runtime.h"

namespace ps::templating::detail {

namespace {

constexpr int kMaxCallDepth = limits::kMaxMacroCallDepth;

class Renderer {
public:
    Renderer(const Value& context, const TemplateOptions& options)
        : context_(context), options_(options) {
        settings_.strictUndefined = options.strictUndefined;
        settings_.maxOutputBytes = options.maxOutputBytes;
        settings_.maxLoopIterations = options.maxLoopIterations;
        settings_.budget = &budget_;
        frames_.push_back(&root_);
    }

    std::string run(const Body& body) {
        if (!context_.isNone() && !context_.isMap()) {
            throw TemplateError("template context must be a map, not " + context_.kindName(), 0, 0,
                                options_.name);
        }
        std::string out;
        out_ = &out;
        renderBody(body);
        return out;
    }

private:
    using Frame = std::unordered_map<std::string, Value>;
    enum class Flow { Normal, Break, Continue };

    // Restores the scope stack when a loop or macro ends, however it ends.
    struct FramesGuard {
        FramesGuard(Renderer& r) : renderer(r), saved(r.frames_) {}
        ~FramesGuard() { renderer.frames_ = std::move(saved); }
        Renderer& renderer;
        std::vector<Frame*> saved;
    };

    TemplateError errorAt(const std::string& message, size_t line, size_t column,
                          bool raised = false) const {
        return TemplateError(message, line, column, options_.name, raised);
    }

    // ---- output and limits -------------------------------------------------------------

    void write(const std::string& text) {
        if (options_.maxOutputBytes && out_->size() + text.size() > options_.maxOutputBytes) {
            throw RenderFailure("output longer than the limit of " +
                                std::to_string(options_.maxOutputBytes) + " bytes");
        }
        budget_.chargeBytes(text.size());
        out_->append(text);
    }

    // Every statement and expression the renderer enters: one depth for all of them
    // (macro calls included), and one step each against the render's budget.
    NestingGuard enter() {
        budget_.chargeSteps(1);
        return NestingGuard(depth_, limits::kMaxRenderDepth, [] {
            throw RenderFailure("the template nests deeper than the limit of " +
                                std::to_string(limits::kMaxRenderDepth) +
                                " levels (recursive macros?)");
        });
    }

    void countIteration() {
        if (options_.maxLoopIterations && ++iterations_ > options_.maxLoopIterations) {
            throw RenderFailure("more than " + std::to_string(options_.maxLoopIterations) +
                                " loop iterations");
        }
    }

    std::string capture(const Body& body) {
        std::string buffer;
        std::string* saved = out_;
        out_ = &buffer;
        try {
            renderBody(body);
        } catch (...) {
            out_ = saved;
            throw;
        }
        out_ = saved;
        return buffer;
    }

    // ---- statements ---------------------------------------------------------------------

    Flow renderBody(const Body& body) {
        for (const NodePtr& node : body) {
            const Flow flow = renderNode(*node);
            if (flow != Flow::Normal) return flow;
        }
        return Flow::Normal;
    }

    Flow renderNode(const Node& node) {
        try {
            const NestingGuard guard = enter();
            return renderNodeInner(node);
        } catch (const RenderFailure& failure) {
            throw errorAt(failure.what(), node.line, node.column, failure.raisedByTemplate);
        } catch (const ValueLimitError& failure) {
            throw errorAt(failure.what(), node.line, node.column);
        }
    }

    Flow renderNodeInner(const Node& node) {
        switch (node.kind) {
            case Node::Kind::Text: write(node.text); return Flow::Normal;
            case Node::Kind::Output: {
                const Value value = eval(*node.expr);
                if (value.isUndefined() && settings_.strictUndefined) {
                    throw errorAt("'" + value.undefinedName() + "' is undefined", node.expr->line,
                                  node.expr->column);
                }
                write(toText(value));
                return Flow::Normal;
            }
            case Node::Kind::If:
                for (size_t i = 0; i < node.conditions.size(); ++i) {
                    if (isTrue(eval(*node.conditions[i]), settings_)) return renderBody(node.bodies[i]);
                }
                return renderBody(node.elseBody);
            case Node::Kind::For: return renderFor(node);
            case Node::Kind::Set: renderSet(node); return Flow::Normal;
            case Node::Kind::SetBlock: {
                Value value(capture(node.body));
                if (node.expr) value = evalFilterChain(*node.expr, value);
                assign(node.targets[0], std::move(value));
                return Flow::Normal;
            }
            case Node::Kind::Macro: assign(node.name, makeMacro(node)); return Flow::Normal;
            case Node::Kind::CallBlock: write(toText(renderCallBlock(node))); return Flow::Normal;
            case Node::Kind::FilterBlock:
                write(toText(evalFilterChain(*node.expr, Value(capture(node.body)))));
                return Flow::Normal;
            case Node::Kind::Break: return Flow::Break;
            case Node::Kind::Continue: return Flow::Continue;
        }
        return Flow::Normal;
    }

    void bindTargets(Frame& frame, const std::vector<std::string>& targets, const Value& item) {
        if (targets.size() == 1) {
            frame[targets[0]] = item;
            return;
        }
        if (!item.isList() || item.asList().size() != targets.size()) {
            throw RenderFailure("cannot unpack " + item.kindName() + " into " +
                                std::to_string(targets.size()) + " names");
        }
        for (size_t i = 0; i < targets.size(); ++i) frame[targets[i]] = item.asList()[i];
    }

    Value loopObject(const ValueList& items, size_t i) {
        const auto n = static_cast<int64_t>(items.size());
        const auto index = static_cast<int64_t>(i);
        ValueMap loop{{"index", Value(index + 1)},
                      {"index0", Value(index)},
                      {"revindex", Value(n - index)},
                      {"revindex0", Value(n - index - 1)},
                      {"first", Value(i == 0)},
                      {"last", Value(index == n - 1)},
                      {"length", Value(n)},
                      {"depth", Value(1)},
                      {"depth0", Value(0)}};
        loop.set("previtem", i > 0 ? items[i - 1] : Value::undefined("previtem"));
        loop.set("nextitem", index + 1 < n ? items[i + 1] : Value::undefined("nextitem"));
        loop.set("cycle", Value::callable([index](const ValueList& args, const KwArgs&) {
                     if (args.empty()) throw RenderFailure("loop.cycle needs at least one value");
                     return args[static_cast<size_t>(index) % args.size()];
                 }));
        return Value(std::move(loop));
    }

    Flow renderFor(const Node& node) {
        ValueList items = iterate(eval(*node.expr), settings_);
        FramesGuard guard(*this);
        Frame frame;
        frames_.push_back(&frame);
        if (node.condition) {  // `for x in xs if cond`: filter first, loop.* sees the rest
            ValueList kept;
            for (const Value& item : items) {
                countIteration();
                frame.clear();
                bindTargets(frame, node.targets, item);
                if (isTrue(eval(*node.condition), settings_)) kept.push_back(item);
            }
            items = std::move(kept);
        }
        if (items.empty()) {
            frames_.pop_back();
            return renderBody(node.elseBody);
        }
        for (size_t i = 0; i < items.size(); ++i) {
            countIteration();
            frame.clear();
            bindTargets(frame, node.targets, items[i]);
            frame["loop"] = loopObject(items, i);
            if (renderBody(node.body) == Flow::Break) break;
        }
        return Flow::Normal;
    }

    void renderSet(const Node& node) {
        Value value = eval(*node.expr);
        if (!node.attribute.empty()) {
            const Value target = lookup(node.targets[0]);
            if (!target.isNamespace()) {
                throw RenderFailure("cannot set '" + node.attribute + "' on '" + node.targets[0] +
                                    "': only a namespace() has assignable attributes");
            }
            checkNamespaceValue(value);
            target.namespaceAttributes().set(node.attribute, std::move(value));
            return;
        }
        if (node.targets.size() == 1) {
            assign(node.targets[0], std::move(value));
            return;
        }
        Frame unpacked;
        bindTargets(unpacked, node.targets, value);
        for (auto& [name, item] : unpacked) assign(name, std::move(item));
    }

    void assign(const std::string& name, Value value) { (*frames_.back())[name] = std::move(value); }

    // ---- macros -------------------------------------------------------------------------

    Value makeMacro(const Node& node) {
        return Value::callable([this, &node](const ValueList& args, const KwArgs& kwargs) {
            return Value(invokeMacro(node, args, kwargs));
        });
    }

    std::string invokeMacro(const Node& node, const ValueList& args, const KwArgs& kwargs) {
        if (callDepth_ >= kMaxCallDepth) {
            throw RenderFailure("macro calls nested deeper than " + std::to_string(kMaxCallDepth));
        }
        budget_.chargeCall();
        FramesGuard guard(*this);
        Frame locals;
        frames_ = {&root_, &locals};
        ValueList extraArgs;
        ValueMap extraKwargs;
        for (size_t i = node.params.size(); i < args.size(); ++i) extraArgs.push_back(args[i]);
        for (const auto& [key, value] : kwargs) {
            bool isParam = key == "caller";
            for (const auto& param : node.params) isParam = isParam || param.first == key;
            if (isParam) locals[key] = value;
            else extraKwargs.set(key, value);
        }
        for (size_t i = 0; i < node.params.size(); ++i) {
            const auto& [name, defaultValue] = node.params[i];
            if (i < args.size()) {
                if (locals.count(name)) {
                    throw RenderFailure("macro '" + node.name + "' got '" + name + "' twice");
                }
                locals[name] = args[i];
            } else if (!locals.count(name)) {
                locals[name] = defaultValue ? eval(*defaultValue) : Value::undefined(name);
            }
        }
        locals["varargs"] = Value(std::move(extraArgs));
        locals["kwargs"] = Value(std::move(extraKwargs));
        ++callDepth_;
        struct DepthGuard {
            int& depth;
            ~DepthGuard() { --depth; }
        } depthGuard{callDepth_};
        return capture(node.body);
    }

    Value renderCallBlock(const Node& node) {
        const std::vector<Frame*> callSite = frames_;
        Value caller = Value::callable([this, &node, callSite](const ValueList& args,
                                                               const KwArgs& kwargs) {
            budget_.chargeCall();
            FramesGuard guard(*this);
            Frame params;
            frames_ = callSite;
            frames_.push_back(&params);
            for (size_t i = 0; i < node.params.size(); ++i) {
                const auto& [name, defaultValue] = node.params[i];
                Value value = i < args.size() ? args[i]
                              : defaultValue  ? eval(*defaultValue)
                                              : Value::undefined(name);
                for (const auto& [key, v] : kwargs) {
                    if (key == name) value = v;
                }
                params[name] = value;
            }
            return Value(capture(node.body));
        });
        const Expr& call = *node.expr;
        Value callee = eval(*call.children[0]);
        ValueList args;
        for (size_t i = 1; i < call.children.size(); ++i) args.push_back(eval(*call.children[i]));
        KwArgs kwargs;
        for (const auto& [key, value] : call.kwargs) kwargs.emplace_back(key, eval(*value));
        kwargs.emplace_back("caller", std::move(caller));
        return callValue(callee, args, kwargs);
    }

    // ---- expressions --------------------------------------------------------------------

    Value lookup(const std::string& name) const {
        for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
            const auto found = (*it)->find(name);
            if (found != (*it)->end()) return found->second;
        }
        if (context_.isMap()) {
            if (const Value* found = context_.asMap().find(name)) return *found;
        }
        return globalValue(name, settings_);
    }

    Value callValue(const Value& callee, const ValueList& args, const KwArgs& kwargs) {
        if (callee.isUndefined()) failUndefined(callee);
        if (!callee.isCallable()) throw RenderFailure(callee.kindName() + " is not callable");
        return callee.asCallable()(args, kwargs);
    }

    Value eval(const Expr& expr) {
        try {
            const NestingGuard guard = enter();
            return evalInner(expr);
        } catch (const RenderFailure& failure) {
            throw errorAt(failure.what(), expr.line, expr.column, failure.raisedByTemplate);
        } catch (const ValueLimitError& failure) {
            throw errorAt(failure.what(), expr.line, expr.column);
        }
    }

    void evalArguments(const Expr& expr, ValueList& args, KwArgs& kwargs) {
        for (size_t i = 1; i < expr.children.size(); ++i) args.push_back(eval(*expr.children[i]));
        for (const auto& [key, value] : expr.kwargs) kwargs.emplace_back(key, eval(*value));
    }

    // A filter chain whose innermost subject is null takes `subject` (filter blocks).
    Value evalFilterChain(const Expr& expr, const Value& subject) {
        const Value inner = expr.children[0] ? evalFilterChain(*expr.children[0], subject) : subject;
        ValueList args;
        KwArgs kwargs;
        evalArguments(expr, args, kwargs);
        try {
            return applyFilter(expr.name, inner, args, kwargs, settings_);
        } catch (const RenderFailure& failure) {
            throw errorAt(failure.what(), expr.line, expr.column);
        }
    }

    std::optional<int64_t> sliceBound(const Expr* bound) {
        if (!bound) return std::nullopt;
        const Value v = eval(*bound);
        if (v.isNone()) return std::nullopt;
        if (v.isInt()) return v.asInt();
        if (v.isUndefined()) failUndefined(v);
        throw RenderFailure("slice bounds must be integers, not " + v.kindName());
    }

    Value evalInner(const Expr& expr) {
        switch (expr.kind) {
            case Expr::Kind::Literal: return expr.literal;
            case Expr::Kind::Name: return lookup(expr.name);
            case Expr::Kind::ListLit:
            case Expr::Kind::TupleLit: {
                ValueList items;
                for (const auto& child : expr.children) items.push_back(eval(*child));
                return Value(std::move(items));
            }
            case Expr::Kind::DictLit: {
                ValueMap map;
                for (size_t i = 0; i + 1 < expr.children.size(); i += 2) {
                    const Value key = eval(*expr.children[i]);
                    requireDefined(key, settings_);
                    map.set(toText(key), eval(*expr.children[i + 1]));
                }
                return Value(std::move(map));
            }
            case Expr::Kind::Attribute:
                return getAttribute(eval(*expr.children[0]), expr.name, settings_);
            case Expr::Kind::Item:
                return getItem(eval(*expr.children[0]), eval(*expr.children[1]), settings_);
            case Expr::Kind::Slice: {
                const Value subject = eval(*expr.children[0]);
                return sliceValue(subject, sliceBound(expr.children[1].get()),
                                  sliceBound(expr.children[2].get()),
                                  sliceBound(expr.children[3].get()), settings_);
            }
            case Expr::Kind::Call: {
                const Value callee = eval(*expr.children[0]);
                ValueList args;
                KwArgs kwargs;
                evalArguments(expr, args, kwargs);
                return callValue(callee, args, kwargs);
            }
            case Expr::Kind::Filter: {
                const Value subject = eval(*expr.children[0]);
                ValueList args;
                KwArgs kwargs;
                evalArguments(expr, args, kwargs);
                return applyFilter(expr.name, subject, args, kwargs, settings_);
            }
            case Expr::Kind::Test: {
                const Value subject = eval(*expr.children[0]);
                ValueList args;
                KwArgs kwargs;
                evalArguments(expr, args, kwargs);
                if (!kwargs.empty()) throw RenderFailure("tests take no keyword arguments");
                return Value(applyTest(expr.name, subject, args, settings_) != expr.negated);
            }
            case Expr::Kind::Unary: {
                const Value operand = eval(*expr.children[0]);
                if (expr.name == "not") return Value(!isTrue(operand, settings_));
                if (operand.isUndefined()) failUndefined(operand);
                if (expr.name == "+") {
                    if (!operand.isNumber()) throw RenderFailure("unary '+' needs a number");
                    return operand;
                }
                if (operand.isInt()) return binaryOp("-", Value(int64_t{0}), operand, settings_);
                if (operand.isDouble()) return Value(-operand.asDouble());
                throw RenderFailure("unary '-' needs a number, not " + operand.kindName());
            }
            case Expr::Kind::Binary: {
                if (expr.name == "and" || expr.name == "or") {
                    // Python returns the deciding operand, not a bool.
                    Value left = eval(*expr.children[0]);
                    const bool leftTrue = isTrue(left, settings_);
                    if (expr.name == "and" ? !leftTrue : leftTrue) return left;
                    return eval(*expr.children[1]);
                }
                const Value left = eval(*expr.children[0]);
                const Value right = eval(*expr.children[1]);
                return binaryOp(expr.name, left, right, settings_);
            }
            case Expr::Kind::Compare: {
                Value left = eval(*expr.children[0]);
                for (size_t i = 0; i < expr.ops.size(); ++i) {
                    Value right = eval(*expr.children[i + 1]);
                    if (!compareOp(expr.ops[i], left, right, settings_)) return Value(false);
                    left = std::move(right);
                }
                return Value(true);
            }
            case Expr::Kind::Conditional:
                if (isTrue(eval(*expr.children[0]), settings_)) return eval(*expr.children[1]);
                return expr.children[2] ? eval(*expr.children[2]) : Value::undefined("");
        }
        return Value();
    }

    const Value& context_;
    const TemplateOptions& options_;
    EvalSettings settings_;
    Frame root_;
    std::vector<Frame*> frames_;
    std::string* out_ = nullptr;
    size_t iterations_ = 0;
    int callDepth_ = 0;
    int depth_ = 0;
    RenderBudget budget_;
};

}  // namespace

std::string renderTemplate(const Body& body, const Value& context, const TemplateOptions& options) {
    return Renderer(context, options).run(body);
}

}  // namespace ps::templating::detail
