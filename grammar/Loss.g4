// The grammar of the .loss language (docs/language.md, versions 1 and 2, and version 3 so far).
// Labelled alternatives, no embedded actions: the AST is built by
// dev.lossc.parser.AstBuilder from the parse tree.
grammar Loss;

program
    : statement* EOF
    ;

statement
    : 'model' ID ';'                                              # modelStmt
    | 'dim' dimDecl (',' dimDecl)* ';'                            # dimStmt
    | 'const' ID '=' expr ';'                                     # constStmt
    // `input label: int;` (version 2): an integer input; the type name is checked by the builder.
    | 'input' ID shape? (':' ID)? ';'                             # inputStmt
    // `param W[H, D] as "fc1.weight" init he;` (version 3 of the weights work): the name in a state
    // dict. `as` is not reserved (it is an ID the builder checks), and the two options may come in
    // either order.
    | 'param' ID shape? paramOption* ';'                          # paramStmt
    // `state running_mean[C] init zeros as "bn.running_mean";` (version 3): non-trained state.
    // `state` is not reserved: the statement is two identifiers then a shape or the options, and
    // the builder checks the first one is `state`.
    | ID ID shape? paramOption* ';'                               # stateStmt
    | 'let' ID '=' expr ';'                                       # letStmt
    // `let (h, c) = cell(x, h0, c0);` and `(h, c) = cell(x, h, c);` (version 3): a def's
    // several results, unpacked into new lets or into vars.
    | 'let' '(' ID (',' ID)+ ')' '=' expr ';'                     # letTupleStmt
    | '(' ID (',' ID)+ ')' '=' expr ';'                           # assignTupleStmt
    | 'var' ID '=' expr ';'                                       # varStmt
    | ID '=' expr ';'                                             # assignStmt
    // `output NAME = expr;` (version 2). `output` is not reserved: it stays a valid name, and the
    // statement is two identifiers and '='; the builder checks the first one is `output`.
    | ID ID '=' expr ';'                                          # outputStmt
    // `checkpoint` (version 3) is not reserved either: the builder checks the word.
    | 'for' ID 'in' expr '..' expr checkpointClause? '{' statement* '}'   # forStmt
    | 'def' ID '(' paramList? ')' '=' expr derivativeRule* ';'    # defExprStmt
    | 'def' ID '(' paramList? ')' '{' statement* 'return' defResult ';' '}' (derivativeRule+ ';')?   # defBlockStmt
    | 'loss' expr ';'                                             # lossStmt
    ;

// A checkpointed loop (version 3): `checkpoint` or `checkpoint(S)` after the range.
checkpointClause
    : ID ('(' expr ')')?
    ;

// A def's own derivative (version 3): `grad(dy) = dy` or `jvp(dx) = …`, after its body. `grad` and
// `jvp` are not reserved: the builder checks the name. Several results are a pair: `grad(dy) = (da, db)`.
derivativeRule
    : ID '(' paramList ')' '=' expr
    ;

// A block def's result: one value, or (version 3) a tuple of two or more, `return (h2, c2);`.
defResult
    : expr                                     # singleResult
    | '(' expr (',' expr)+ ')'                 # tupleResult
    ;

// `dim B <= 64` (version 2): a size chosen at each call, from 1 to the maximum.
dimDecl
    : ID op=('=' | '<=') expr
    ;

shape
    : '[' expr (',' expr)* ']'
    ;

initializer
    : ID ('(' (expr (',' expr)*)? ')')?
    ;

paramOption
    : 'init' initializer                       # initOption
    | ID STRING                                # keyOption
    ;

paramList
    : ID (',' ID)*
    ;

// Precedence, tightest first: postfix/primary, '^' (right-assoc, exponent may
// be negated), unary '-', '* / @', '+ -', comparisons (version 2; not chained:
// the builder refuses `a < b < c`). The power is its own rule, not an
// alternative of the left-recursive expr: written that way, every decision is
// LL(1) and a chain of n powers parses in time linear in n.
expr
    : power                                    # powerExpr
    | '-' expr                                 # negExpr
    | expr op=('*' | '/' | '@') expr           # mulExpr
    | expr op=('+' | '-') expr                 # addExpr
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr   # cmpExpr
    ;

power
    : postfix ('^' powRhs)?
    ;

powRhs
    : '-' powRhs                               # negPowRhs
    | power                                    # plainPowRhs
    ;

postfix
    : primary ('[' index (',' index)* ']')*
    ;

// A call's argument: positional, or named (`alpha = 0.5`); the builder checks that the named
// ones come last.
argument
    : ID '=' expr                              # namedArgument
    | expr                                     # positionalArgument
    ;

// One index: a position, a range `a..b` (version 2, a slice) or `..` (the whole axis). Written
// so that every decision is LL(1): the range's '..' is an optional suffix of the first expr.
index
    : '..'                                     # allIndex
    | expr ('..' expr)?                        # exprIndex
    ;

primary
    : NUMBER                                   # numberPrimary
    | ID '(' (argument (',' argument)*)? ')'   # callPrimary
    | ID                                       # namePrimary
    // `(2, 1)` (version 3): a pair, only ever a size argument of a convolution or a pool.
    | '(' expr (',' expr)* ')'                 # parenPrimary
    ;

NUMBER
    : DIGITS ('.' DIGITS)? EXPONENT?
    | '.' DIGITS EXPONENT?
    ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

ID  : [A-Za-z_] [A-Za-z0-9_]* ;

// A state-dict name: printable, on one line, no escapes (they are never needed in one).
STRING : '"' ~["\\\r\n]* '"' ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n\f]+ -> skip ;
