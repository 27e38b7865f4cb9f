#include "templating/parser.h"

#include <algorithm>
#include <set>

#include "limits/resource_limits.h"
#include "templating/nesting_guard.h"
#include "templating/runtime.h"

namespace ps::templating::detail {

namespace {

// Deeply nested input (`((((...`, `{% if %}` in `{% if %}` ..., `1 + 1 + ...`) must
// fail cleanly, not exhaust the stack of the parser or of a later walk of the tree.
// The recursion of the expression grammar takes two levels per parenthesis.
constexpr int kMaxExpressionRecursion = 2 * limits::kMaxTemplateExpressionDepth;

class Parser {
public:
    Parser(const std::vector<Token>& tokens, const TemplateOptions& options)
        : tokens_(tokens), options_(options) {}

    Body parseAll() {
        std::string endTag;
        Body body = parseBody({}, endTag);
        return body;
    }

private:
    // ---- token helpers -------------------------------------------------------------
    const Token& current() const { return tokens_[pos_]; }
    const Token& peek(size_t ahead = 1) const {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }
    const Token& advance() {
        const Token& token = tokens_[pos_];
        if (pos_ + 1 < tokens_.size()) ++pos_;
        return token;
    }
    bool isOp(const char* op) const {
        return current().type == TokenType::Operator && current().text == op;
    }
    bool isName(const char* name) const {
        return current().type == TokenType::Name && current().text == name;
    }
    bool skipOp(const char* op) {
        if (!isOp(op)) return false;
        advance();
        return true;
    }
    bool skipName(const char* name) {
        if (!isName(name)) return false;
        advance();
        return true;
    }

    static std::string describe(const Token& token) {
        switch (token.type) {
            case TokenType::Text: return "text";
            case TokenType::VarBegin: return "'{{'";
            case TokenType::VarEnd: return "'}}'";
            case TokenType::BlockBegin: return "'{%'";
            case TokenType::BlockEnd: return "'%}'";
            case TokenType::Name: return "'" + token.text + "'";
            case TokenType::String: return "string literal";
            case TokenType::Integer:
            case TokenType::Float: return "number " + token.text;
            case TokenType::Operator: return "'" + token.text + "'";
            case TokenType::EndOfInput: return "end of template";
        }
        return "token";
    }

    [[noreturn]] void fail(const std::string& message, const Token& at) const {
        throw TemplateError(message, at.line, at.column, options_.name);
    }
    [[noreturn]] void unexpected(const std::string& expected) const {
        fail("expected " + expected + ", found " + describe(current()), current());
    }

    void expectOp(const char* op) {
        if (!skipOp(op)) unexpected(std::string("'") + op + "'");
    }
    std::string expectName() {
        if (current().type != TokenType::Name) unexpected("a name");
        return advance().text;
    }
    void expectBlockEnd() {
        if (current().type != TokenType::BlockEnd) unexpected("'%}'");
        advance();
    }

    template <typename T>
    std::unique_ptr<T> make(typename T::Kind kind, const Token& at) {
        auto node = std::make_unique<T>();
        node->kind = kind;
        node->line = at.line;
        node->column = at.column;
        return node;
    }

    // ---- statements ----------------------------------------------------------------

    // Parses until one of `endTags` (consumed up to its name; the caller reads the rest
    // of that tag) or the end of input when `endTags` is empty.
    Body parseBody(const std::set<std::string>& endTags, std::string& endTag) {
        Body body;
        const Token& opening = current();
        while (true) {
            const Token& token = current();
            switch (token.type) {
                case TokenType::EndOfInput:
                    if (!endTags.empty()) {
                        fail("unexpected end of template: expected " + joinTags(endTags) +
                                 " (block opened at line " + std::to_string(opening.line) + ")",
                             token);
                    }
                    return body;
                case TokenType::Text: {
                    auto node = make<Node>(Node::Kind::Text, token);
                    node->text = token.text;
                    advance();
                    body.push_back(std::move(node));
                    break;
                }
                case TokenType::VarBegin: {
                    advance();
                    auto node = make<Node>(Node::Kind::Output, token);
                    node->expr = parseExpression();
                    if (current().type != TokenType::VarEnd) unexpected("'}}'");
                    advance();
                    body.push_back(std::move(node));
                    break;
                }
                case TokenType::BlockBegin: {
                    advance();
                    const Token& keyword = current();
                    if (keyword.type != TokenType::Name) unexpected("a statement name");
                    if (endTags.count(keyword.text)) {
                        endTag = keyword.text;
                        advance();
                        return body;
                    }
                    body.push_back(parseStatement());
                    break;
                }
                default: unexpected("text or a tag");
            }
        }
    }

    static std::string joinTags(const std::set<std::string>& tags) {
        std::string out;
        for (const auto& tag : tags) out += (out.empty() ? "" : " or ") + ("'" + tag + "'");
        return out;
    }

    NodePtr parseStatement() {
        const Token& keyword = current();
        NestingGuard guard(statementNesting_, limits::kMaxTemplateStatementNesting, [&] {
            fail("statements nested deeper than the limit of " +
                     std::to_string(limits::kMaxTemplateStatementNesting),
                 keyword);
        });
        const std::string& name = keyword.text;
        if (name == "if") return parseIf();
        if (name == "for") return parseFor();
        if (name == "set") return parseSet();
        if (name == "macro") return parseMacro();
        if (name == "call") return parseCallBlock();
        if (name == "filter") return parseFilterBlock();
        if (name == "break" || name == "continue") {
            if (loopDepth_ == 0) fail("'" + name + "' outside a for loop", keyword);
            auto node = make<Node>(name == "break" ? Node::Kind::Break : Node::Kind::Continue,
                                   keyword);
            advance();
            expectBlockEnd();
            return node;
        }
        if (name == "generation") {  // Hugging Face's assistant-mask marker: transparent
            advance();
            expectBlockEnd();
            auto node = make<Node>(Node::Kind::If, keyword);
            auto condition = make<Expr>(Expr::Kind::Literal, keyword);
            condition->literal = Value(true);
            node->conditions.push_back(std::move(condition));
            std::string end;
            node->bodies.push_back(parseBody({"endgeneration"}, end));
            expectBlockEnd();
            return node;
        }
        if (name == "extends" || name == "include" || name == "import" || name == "from" ||
            name == "block") {
            fail("'" + name + "' is not supported: templates cannot read other files", keyword);
        }
        fail("unknown statement '" + name + "'", keyword);
    }

    NodePtr parseIf() {
        auto node = make<Node>(Node::Kind::If, advance());
        while (true) {
            node->conditions.push_back(parseExpression());
            expectBlockEnd();
            std::string end;
            node->bodies.push_back(parseBody({"elif", "else", "endif"}, end));
            if (end == "elif") continue;
            if (end == "else") {
                expectBlockEnd();
                node->elseBody = parseBody({"endif"}, end);
            }
            expectBlockEnd();
            return node;
        }
    }

    std::vector<std::string> parseTargets() {
        std::vector<std::string> targets;
        const bool parenthesized = skipOp("(");
        do {
            targets.push_back(expectName());
        } while (skipOp(","));
        if (parenthesized) expectOp(")");
        return targets;
    }

    NodePtr parseFor() {
        auto node = make<Node>(Node::Kind::For, advance());
        node->targets = parseTargets();
        if (!skipName("in")) unexpected("'in'");
        // The iterable stops before a trailing `if` (the loop filter).
        node->expr = parseOr();
        if (skipName("if")) node->condition = parseExpression();
        skipName("recursive");  // accepted, recursion via loop() is not offered
        expectBlockEnd();
        ++loopDepth_;
        std::string end;
        node->body = parseBody({"else", "endfor"}, end);
        --loopDepth_;
        if (end == "else") {
            expectBlockEnd();
            node->elseBody = parseBody({"endfor"}, end);
        }
        expectBlockEnd();
        return node;
    }

    NodePtr parseSet() {
        const Token& keyword = advance();
        if (current().type == TokenType::Name && peek().type == TokenType::Operator &&
            peek().text == ".") {
            auto node = make<Node>(Node::Kind::Set, keyword);
            node->targets.push_back(advance().text);
            advance();  // '.'
            node->attribute = expectName();
            expectOp("=");
            node->expr = parseTupleOrExpression();
            expectBlockEnd();
            return node;
        }
        std::vector<std::string> targets = parseTargets();
        if (skipOp("=")) {
            auto node = make<Node>(Node::Kind::Set, keyword);
            node->targets = std::move(targets);
            node->expr = parseTupleOrExpression();
            expectBlockEnd();
            return node;
        }
        if (targets.size() != 1) unexpected("'='");
        auto node = make<Node>(Node::Kind::SetBlock, keyword);
        node->targets = std::move(targets);
        if (isOp("|")) node->expr = parseFilterChain(nullptr);
        expectBlockEnd();
        std::string end;
        node->body = parseBody({"endset"}, end);
        expectBlockEnd();
        return node;
    }

    void parseParams(std::vector<std::pair<std::string, ExprPtr>>& params) {
        expectOp("(");
        while (!isOp(")")) {
            if (!params.empty()) expectOp(",");
            std::string param = expectName();
            ExprPtr defaultValue;
            if (skipOp("=")) defaultValue = parseExpression();
            params.emplace_back(std::move(param), std::move(defaultValue));
        }
        advance();
    }

    NodePtr parseMacro() {
        auto node = make<Node>(Node::Kind::Macro, advance());
        node->name = expectName();
        parseParams(node->params);
        expectBlockEnd();
        const int savedLoopDepth = loopDepth_;
        loopDepth_ = 0;
        std::string end;
        node->body = parseBody({"endmacro"}, end);
        loopDepth_ = savedLoopDepth;
        skipName(node->name.c_str());
        expectBlockEnd();
        return node;
    }

    NodePtr parseCallBlock() {
        auto node = make<Node>(Node::Kind::CallBlock, advance());
        if (isOp("(")) parseParams(node->params);
        node->expr = parseExpression();
        if (node->expr->kind != Expr::Kind::Call) {
            throw TemplateError("'call' needs a macro call", node->line, node->column, options_.name);
        }
        expectBlockEnd();
        std::string end;
        node->body = parseBody({"endcall"}, end);
        expectBlockEnd();
        return node;
    }

    NodePtr parseFilterBlock() {
        auto node = make<Node>(Node::Kind::FilterBlock, advance());
        node->expr = parseFilterChain(nullptr, /*leadingPipe=*/false);
        expectBlockEnd();
        std::string end;
        node->body = parseBody({"endfilter"}, end);
        expectBlockEnd();
        return node;
    }

    // ---- expressions (precedence from loosest to tightest, as in Jinja2) -------------

    NestingGuard expressionGuard() {
        return NestingGuard(nesting_, kMaxExpressionRecursion,
                            [&] { fail("expression nested too deeply", current()); });
    }

    // Records the height of a node whose children are complete and fails past the
    // limit. Chains (`a + b + c ...`, `x.f().g()...`, `x|f|g...`) are built in loops,
    // not by recursion, so the height is what bounds them.
    ExprPtr seal(ExprPtr node) {
        int height = 0;
        for (const auto& child : node->children) {
            if (child) height = std::max(height, child->height);
        }
        for (const auto& [key, value] : node->kwargs) {
            if (value) height = std::max(height, value->height);
        }
        node->height = height + 1;
        if (node->height > limits::kMaxTemplateExpressionDepth) {
            throw TemplateError("expression nested deeper than the limit of " +
                                    std::to_string(limits::kMaxTemplateExpressionDepth) +
                                    " levels (a chain of operators, filters or calls counts "
                                    "one level per link)",
                                node->line, node->column, options_.name);
        }
        return node;
    }

    // `set a = 1, 2` builds a tuple.
    ExprPtr parseTupleOrExpression() {
        const Token& start = current();
        ExprPtr first = parseExpression();
        if (!isOp(",")) return first;
        auto tuple = make<Expr>(Expr::Kind::TupleLit, start);
        tuple->children.push_back(std::move(first));
        while (skipOp(",")) {
            if (current().type == TokenType::BlockEnd) break;
            tuple->children.push_back(parseExpression());
        }
        return seal(std::move(tuple));
    }

    ExprPtr parseExpression() {
        const NestingGuard guard = expressionGuard();
        ExprPtr value = parseOr();
        while (isName("if")) {
            const Token& at = advance();
            auto conditional = make<Expr>(Expr::Kind::Conditional, at);
            conditional->children.push_back(parseOr());
            conditional->children.push_back(std::move(value));
            conditional->children.push_back(skipName("else") ? parseExpression() : nullptr);
            value = seal(std::move(conditional));
        }
        return value;
    }

    ExprPtr binary(ExprPtr left, const Token& at, std::string op, ExprPtr right) {
        auto node = make<Expr>(Expr::Kind::Binary, at);
        node->name = std::move(op);
        node->children.push_back(std::move(left));
        node->children.push_back(std::move(right));
        return seal(std::move(node));
    }

    ExprPtr parseOr() {
        ExprPtr left = parseAnd();
        while (isName("or")) {
            const Token& at = advance();
            left = binary(std::move(left), at, "or", parseAnd());
        }
        return left;
    }

    ExprPtr parseAnd() {
        ExprPtr left = parseNot();
        while (isName("and")) {
            const Token& at = advance();
            left = binary(std::move(left), at, "and", parseNot());
        }
        return left;
    }

    ExprPtr parseNot() {
        if (isName("not")) {
            const NestingGuard guard = expressionGuard();
            auto node = make<Expr>(Expr::Kind::Unary, advance());
            node->name = "not";
            node->children.push_back(parseNot());
            return seal(std::move(node));
        }
        return parseCompare();
    }

    ExprPtr parseCompare() {
        const Token& start = current();
        ExprPtr first = parseMath1();
        ExprPtr compare;
        while (true) {
            std::string op;
            if (current().type == TokenType::Operator &&
                (current().text == "==" || current().text == "!=" || current().text == "<" ||
                 current().text == ">" || current().text == "<=" || current().text == ">=")) {
                op = advance().text;
            } else if (isName("in")) {
                advance();
                op = "in";
            } else if (isName("not") && peek().type == TokenType::Name && peek().text == "in") {
                advance();
                advance();
                op = "not in";
            } else {
                break;
            }
            if (!compare) {
                compare = make<Expr>(Expr::Kind::Compare, start);
                compare->children.push_back(std::move(first));
            }
            compare->ops.push_back(op);
            compare->children.push_back(parseMath1());
        }
        // One flat node however long the chain: sealed once (not per link, which
        // would be quadratic).
        return compare ? seal(std::move(compare)) : std::move(first);
    }

    ExprPtr parseMath1() {
        ExprPtr left = parseConcat();
        while (isOp("+") || isOp("-")) {
            const Token& at = advance();
            left = binary(std::move(left), at, at.text, parseConcat());
        }
        return left;
    }

    ExprPtr parseConcat() {
        ExprPtr left = parseMath2();
        while (isOp("~")) {
            const Token& at = advance();
            left = binary(std::move(left), at, "~", parseMath2());
        }
        return left;
    }

    ExprPtr parseMath2() {
        ExprPtr left = parsePow();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            const Token& at = advance();
            left = binary(std::move(left), at, at.text, parsePow());
        }
        return left;
    }

    ExprPtr parsePow() {
        ExprPtr left = parseUnary(true);
        while (isOp("**")) {
            const Token& at = advance();
            left = binary(std::move(left), at, "**", parseUnary(true));
        }
        return left;
    }

    ExprPtr parseUnary(bool withFilter) {
        const NestingGuard guard = expressionGuard();
        ExprPtr node;
        if (isOp("-") || isOp("+")) {
            const Token& at = advance();
            node = make<Expr>(Expr::Kind::Unary, at);
            node->name = at.text;
            node->children.push_back(parseUnary(false));
            node = seal(std::move(node));
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(std::move(node));
        if (withFilter) node = parseFilterExpr(std::move(node));
        return node;
    }

    ExprPtr parsePrimary() {
        const Token& token = current();
        switch (token.type) {
            case TokenType::Name: {
                advance();
                auto literal = [&](Value v) {
                    auto node = make<Expr>(Expr::Kind::Literal, token);
                    node->literal = std::move(v);
                    return node;
                };
                const std::string& n = token.text;
                if (n == "true" || n == "True") return literal(Value(true));
                if (n == "false" || n == "False") return literal(Value(false));
                if (n == "none" || n == "None") return literal(Value());
                auto node = make<Expr>(Expr::Kind::Name, token);
                node->name = n;
                return node;
            }
            case TokenType::String: {
                std::string text = advance().text;
                while (current().type == TokenType::String) text += advance().text;  // 'a' 'b'
                auto node = make<Expr>(Expr::Kind::Literal, token);
                node->literal = Value(std::move(text));
                return node;
            }
            case TokenType::Integer: {
                auto node = make<Expr>(Expr::Kind::Literal, advance());
                node->literal = Value(token.integer);
                return node;
            }
            case TokenType::Float: {
                auto node = make<Expr>(Expr::Kind::Literal, advance());
                node->literal = Value(token.floating);
                return node;
            }
            case TokenType::Operator:
                if (token.text == "(") return parseParenthesized();
                if (token.text == "[") return parseList();
                if (token.text == "{") return parseDict();
                break;
            default: break;
        }
        unexpected("an expression");
    }

    ExprPtr parseParenthesized() {
        const Token& open = advance();
        if (skipOp(")")) return make<Expr>(Expr::Kind::TupleLit, open);  // ()
        ExprPtr first = parseExpression();
        if (skipOp(")")) return first;
        auto tuple = make<Expr>(Expr::Kind::TupleLit, open);
        tuple->children.push_back(std::move(first));
        while (skipOp(",")) {
            if (isOp(")")) break;
            tuple->children.push_back(parseExpression());
        }
        expectOp(")");
        return seal(std::move(tuple));
    }

    ExprPtr parseList() {
        auto list = make<Expr>(Expr::Kind::ListLit, advance());
        while (!isOp("]")) {
            if (!list->children.empty()) {
                expectOp(",");
                if (isOp("]")) break;
            }
            list->children.push_back(parseExpression());
        }
        advance();
        return seal(std::move(list));
    }

    ExprPtr parseDict() {
        auto dict = make<Expr>(Expr::Kind::DictLit, advance());
        while (!isOp("}")) {
            if (!dict->children.empty()) {
                expectOp(",");
                if (isOp("}")) break;
            }
            dict->children.push_back(parseExpression());
            expectOp(":");
            dict->children.push_back(parseExpression());
        }
        advance();
        return seal(std::move(dict));
    }

    ExprPtr parsePostfix(ExprPtr node) {
        while (true) {
            if (isOp(".")) {
                const Token& dot = advance();
                if (current().type == TokenType::Integer) {  // a.0 is a[0]
                    auto item = make<Expr>(Expr::Kind::Item, dot);
                    auto index = make<Expr>(Expr::Kind::Literal, current());
                    index->literal = Value(advance().integer);
                    item->children.push_back(std::move(node));
                    item->children.push_back(std::move(index));
                    node = seal(std::move(item));
                    continue;
                }
                auto attribute = make<Expr>(Expr::Kind::Attribute, dot);
                attribute->name = expectName();
                attribute->children.push_back(std::move(node));
                node = seal(std::move(attribute));
            } else if (isOp("[")) {
                node = parseSubscript(std::move(node));
            } else if (isOp("(")) {
                node = parseCall(std::move(node));
            } else {
                return node;
            }
        }
    }

    ExprPtr parseSubscript(ExprPtr subject) {
        const Token& open = advance();
        ExprPtr parts[3];
        int colons = 0;
        while (!isOp("]")) {
            if (isOp(":")) {
                if (++colons > 2) unexpected("']'");
                advance();
                continue;
            }
            if (parts[colons]) unexpected("':' or ']'");
            parts[colons] = parseExpression();
        }
        advance();
        if (colons == 0) {
            if (!parts[0]) fail("empty subscript '[]'", open);
            auto item = make<Expr>(Expr::Kind::Item, open);
            item->children.push_back(std::move(subject));
            item->children.push_back(std::move(parts[0]));
            return seal(std::move(item));
        }
        auto slice = make<Expr>(Expr::Kind::Slice, open);
        slice->children.push_back(std::move(subject));
        for (auto& part : parts) slice->children.push_back(std::move(part));
        return seal(std::move(slice));
    }

    // Arguments of a call, filter or test: positional first, then name=value.
    void parseArguments(Expr& call) {
        expectOp("(");
        bool first = true;
        while (!isOp(")")) {
            if (!first) {
                expectOp(",");
                if (isOp(")")) break;
            }
            first = false;
            if (current().type == TokenType::Name && peek().type == TokenType::Operator &&
                peek().text == "=") {
                std::string key = advance().text;
                advance();
                call.kwargs.emplace_back(std::move(key), parseExpression());
            } else {
                if (!call.kwargs.empty()) {
                    fail("positional argument after a keyword argument", current());
                }
                call.children.push_back(parseExpression());
            }
        }
        advance();
    }

    ExprPtr parseCall(ExprPtr callee) {
        auto call = make<Expr>(Expr::Kind::Call, current());
        call->children.push_back(std::move(callee));
        parseArguments(*call);
        return seal(std::move(call));
    }

    ExprPtr parseFilterExpr(ExprPtr node) {
        while (true) {
            if (isOp("|")) {
                node = parseFilterChain(std::move(node));
            } else if (isName("is")) {
                node = parseTest(std::move(node));
            } else if (isOp("(")) {
                node = parseCall(std::move(node));
            } else {
                return node;
            }
        }
    }

    // One or more `| name(args)`; `leadingPipe` false for `{% filter upper %}`.
    ExprPtr parseFilterChain(ExprPtr subject, bool leadingPipe = true) {
        bool needPipe = leadingPipe;
        do {
            if (needPipe) advance();  // '|'
            needPipe = true;
            const Token& at = current();
            auto filter = make<Expr>(Expr::Kind::Filter, at);
            filter->name = expectName();
            if (!isKnownFilter(filter->name)) fail("unknown filter '" + filter->name + "'", at);
            filter->children.push_back(std::move(subject));
            if (isOp("(")) parseArguments(*filter);
            subject = seal(std::move(filter));
        } while (isOp("|"));
        return subject;
    }

    ExprPtr parseTest(ExprPtr subject) {
        auto test = make<Expr>(Expr::Kind::Test, advance());
        test->negated = skipName("not");
        const Token& nameToken = current();
        test->name = expectName();
        if (!isKnownTest(test->name)) fail("unknown test '" + test->name + "'", nameToken);
        test->children.push_back(std::move(subject));
        if (isOp("(")) {
            parseArguments(*test);
        } else if ((current().type == TokenType::Name &&
                    !(isName("else") || isName("or") || isName("and") || isName("if"))) ||
                   current().type == TokenType::String || current().type == TokenType::Integer ||
                   current().type == TokenType::Float || isOp("[") || isOp("{")) {
            // `x is divisibleby 3`, `x is sameas none`: one argument without parentheses.
            test->children.push_back(parsePostfix(parsePrimary()));
        }
        return seal(std::move(test));
    }

    const std::vector<Token>& tokens_;
    const TemplateOptions& options_;
    size_t pos_ = 0;
    int loopDepth_ = 0;
    int nesting_ = 0;
    int statementNesting_ = 0;
};

}  // namespace

Body parseTemplate(const std::vector<Token>& tokens, const TemplateOptions& options) {
    return Parser(tokens, options).parseAll();
}

}  // namespace ps::templating::detail
