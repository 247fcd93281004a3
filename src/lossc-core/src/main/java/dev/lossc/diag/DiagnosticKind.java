package dev.lossc.diag;

/**
 * The catalogue of every diagnostic the compiler reports. Each entry is a message template in
 * {@link String#format} syntax; the code is stable and appears in the language reference.
 */
public enum DiagnosticKind {
    // Reading the file
    NOT_UTF8("L001", "file is not UTF-8 text (invalid byte sequence)"),
    NUL_BYTE("L002", "file contains a NUL byte: it is not a .loss source file"),
    TOO_MANY_ERRORS("L003", "too many errors; only the first %d are shown"),
    NESTED_TOO_DEEPLY("L004", "expression nested too deeply (more than %d levels)"),
    NOT_A_REGULAR_FILE("L005", "not a regular file (%s)"),
    FILE_TOO_LARGE("L006", "input too large (%,d bytes; the limit is %,d bytes)"),
    CANNOT_READ("L007", "cannot read the file: %s"),
    OUT_OF_MEMORY("L008", "input too large: compiling it ran out of memory (%s)"),

    // Syntax
    UNEXPECTED_CHARACTER("S001", "unexpected character %s"),
    SYNTAX("S002", "%s"),
    UNTERMINATED_COMMENT("S003", "unterminated block comment"),
    BAD_NUMBER("S004", "number '%s' is out of range for a double (the largest is 1.7976931348623157E308)"),
    UNKNOWN_STATEMENT("S005", "unknown statement '%s' (expected model, dim, const, input, param, state, let, var, output, for, def or loss)"),
    CHAINED_COMPARISON("S006", "comparisons do not chain: write (a < b) * (b < c) for both"),
    PARAM_OPTION_UNKNOWN("S007", "'%s' is not an option of a param (expected init INITIALIZER or as \"NAME\")"),
    PARAM_OPTION_TWICE("S008", "a param takes one '%s'"),
    POSITIONAL_AFTER_NAMED("S009", "a positional argument cannot follow a named one"),
    UNKNOWN_RULE("S010", "'%s' is not a derivative rule (expected grad(dy) = … or jvp(dx) = …)"),
    NOT_CHECKPOINT("S011", "unexpected '%s' after a loop's range (expected '{', or checkpoint or checkpoint(S) for a checkpointed loop)"),

    // Program structure
    MODEL_NOT_FIRST("E001", "'model' must be the first statement"),
    DUPLICATE_MODEL("E002", "only one 'model' statement is allowed"),
    MISSING_LOSS("E003", "missing 'loss' statement: a file must end with exactly one 'loss'"),
    DUPLICATE_LOSS("E004", "only one 'loss' statement is allowed"),
    LOSS_NOT_LAST("E005", "'loss' must be the last statement"),
    LOSS_NOT_SCALAR("E006", "the loss must be a scalar, but it has shape %s"),
    STATEMENT_NOT_ALLOWED_HERE("E007", "'%s' is not allowed %s"),

    // Names
    UNKNOWN_NAME("N001", "unknown name '%s'"),
    ALREADY_DECLARED("N002", "'%s' is already declared in this scope (at line %d)"),
    BUILTIN_REDECLARED("N003", "'%s' is a built-in function and cannot be declared again"),
    UNKNOWN_FUNCTION("N004", "unknown function '%s'"),
    RECURSIVE_CALL("N005", "'%s' calls itself: functions may not be recursive"),
    NOT_A_FUNCTION("N006", "'%s' is a %s, not a function"),
    FUNCTION_AS_VALUE("N007", "'%s' is a function; call it with arguments"),
    ASSIGN_NOT_VAR("N008", "cannot assign to '%s': it is a %s, and only a 'var' can be assigned"),
    UNKNOWN_INITIALIZER("N009", "unknown initializer '%s' (expected zeros, ones, uniform(a, b), normal(mean, std), xavier or he)"),
    NAME_TOO_LONG("N010", "name is too long (%,d characters; the limit is %d)"),
    MODEL_NAME_NOT_A_FILE("N011", "model name '%s' cannot name a file on every platform: %s"),
    OUTPUT_NAME_TAKEN("N012", "output '%s' would clash with %s of the generated class; choose another name"),
    UNKNOWN_TYPE("N013", "unknown element type '%s' (the only one is int; an input without a type is real)"),
    INT_AS_REAL("N014", "'%s' is an int input: it can only index (E[%s]) or be the class labels of cross_entropy, not be used as a real value"),
    BAD_KEY("N015", "state-dict name \"%s\" cannot be used: %s"),
    KEY_TAKEN("N016", "state-dict name \"%s\" is already the state-dict name of %s"),

    // Constants, sizes and indexes
    NOT_CONSTANT("C001", "%s must be a constant expression (literals, consts and dims)"),
    DIM_NOT_POSITIVE_INTEGER("C002", "dimension '%s' must be a positive integer, but it is %s"),
    SIZE_NOT_POSITIVE_INTEGER("C003", "a size must be a dim or a positive integer literal, but it is %s"),
    SHAPE_RANK("C004", "shapes have at most four sizes ([B, C, H, W]), but this one has %d"),
    TOO_LARGE("C005", "%s is too large (%s elements; the limit is %d)"),
    BAD_INDEX("C006", "an index must be integer literals, dims and loop variables, added, subtracted or multiplied by a constant"),
    INDEX_OUT_OF_BOUNDS("C007", "index %s is out of bounds for size %d"),
    TOO_MANY_INDEXES("C008", "cannot index a %s with %d indexes"),
    LOOP_BOUND("C009", "loop bound must be an integer constant, but it is %s"),
    LOOP_RANGE("C010", "loop range %d..%d runs backwards"),
    INITIALIZER_ARGS("C011", "initializer '%s' takes %s"),
    BAD_AXIS("C012", "%s must be %s, but it is %s"),
    PROGRAM_TOO_LARGE("C013", "program is too large after inlining functions (more than %d operations)"),
    INT_MATRIX_WHOLE("C014", "'%s' is int data %s: a row ('%s[i]') or a column ('%s[.., t]') of an int matrix labels a matrix's rows; int data of any rank is read whole to look rows up (E[%s]) or to label a tensor's positions"),
    GATHER_FORM("C015", "an int vector ('%s') gathers rows as the only index: E[toks]"),
    VARYING_DIM_USE("C016", "dim '%s' varies per call: it can only size an input or end a loop ('for i in 0..%s'), not be %s"),
    VARYING_DIM_PARAM("C017", "%s cannot be sized by dim '%s', which varies per call: a %s keeps one shape"),
    VARYING_DIM_AXIS("C018", "dim '%s' varies per call: it can only be the first size of %s (the rows a batch adds)"),
    DEF_ASSIGNS_OUTER("C020", "'%s' is declared outside function '%s': a function may assign only the vars it declares"),
    VARYING_INDEX("C019", "an index into an axis of size %s, which varies per call, must be a loop variable running to %s, minus a constant of 0 or more"),
    SLICE_LENGTH("C021", "the slice %s..%s must have a constant length of 1 or more, but its length is %s"),
    SLICE_OUT_OF_BOUNDS("C022", "slice %s is out of bounds for size %d"),
    VARYING_SLICE("C023", "an axis of size %s, which varies per call, can only be sliced whole ('..')"),
    RANGE_NOT_INDEX("C024", "a range (a..b or ..) can only slice real values: v[a..b], A[.., j], X[.., 0..2]"),

    // Shapes and calls
    SHAPE_MISMATCH("T001", "'%s' cannot combine shapes %s and %s"),
    MATMUL_SHAPES("T002", "'@' cannot multiply shapes %s and %s"),
    ARITY("T003", "'%s' takes %s, but %d given"),
    ARGUMENT_SHAPE("T004", "'%s' expects %s, but got %s"),
    ASSIGN_SHAPE("T005", "'%s' has shape %s, but the new value has shape %s"),
    CONSTANT_ARGUMENT("T006", "argument %s of '%s' must be a constant expression"),
    UNKNOWN_ARGUMENT("T007", "'%s' has no argument named '%s'"),
    ARGUMENT_TWICE("T008", "argument '%s' of '%s' is given twice"),
    TUPLE_NOT_A_VALUE("T009", "'%s' returns %d values, and a tuple is not a value: unpack it with 'let (%s) = %s(…);'"),
    UNPACK_NOT_TUPLE("T010", "only the results of a def that returns several values can be unpacked, but this is %s"),
    UNPACK_COUNT("T011", "'%s' returns %d values, but %d names unpack them"),
    UNPACK_TWICE("T012", "'%s' is unpacked into twice"),
    DROPOUT_P("T013", "the p of 'dropout' must be a constant from 0 to 1, but it is %s"),
    RESHAPE("T014", "'reshape': %s"),
    BATCH_NORM_STATE("T015", "the %s of 'batch_norm' must be a state (declared with 'state'), but it is %s"),
    STATE_READ("T016", "state '%s' can only be given to 'batch_norm', as its running mean or variance"),
    BATCH_NORM_CONSTANT("T017", "the %s of 'batch_norm' must be a constant %s, but it is %s"),
    BATCH_NORM_ONE_VALUE("T018", "'batch_norm' needs more than one value per channel in a training call, but %s has one"),
    PAIR_NOT_A_VALUE("T019", "a pair (a, b) is not a value: it can only give a convolution's or a pool's sizes, as in stride = (2, 1)"),
    CONV_SHAPE("T020", "'%s': %s"),

    // A def's own derivatives
    RULE_TWICE("D001", "'%s' already has a %s rule (at line %d)"),
    RULE_NAMES("D002", "the %s rule of '%s' names %d value%s, but it takes %s"),
    RULE_COUNT("D003", "the grad rule of '%s' gives %d adjoint%s, but '%s' has %d parameter%s: give one per parameter, in order%s"),
    RULE_SHAPE("D004", "the %s rule of '%s' gives %s shape %s, but at this call %s has shape %s"),
    RULE_ON_TUPLE("D005", "'%s' returns several values: only a def of one result can state its derivative"),
    JVP_WITHOUT_GRAD("D006", "'%s' has a jvp rule but no grad rule: reverse mode needs grad(dy) = …"),
    MISSING_JVP("D007", "forward mode (--derivatives %s) reaches this call of '%s', whose def states grad but no jvp: add jvp(%s) = … to it"),
    RULE_BODY_READS("D009", "the body of '%s' reads %s '%s', declared outside it: a def that states its derivative takes every value with a derivative as a parameter (its rule gives only its parameters' adjoints)"),
    RULE_DISAGREES("D008", "the custom gradient of '%s' disagrees with central differences of its body: %s", true),

    // Checkpointed loops
    CHECKPOINT_SNAPSHOTS("K001", "checkpoint(S) takes the number of snapshots, an integer constant of at least 1, but it is %s"),
    CHECKPOINT_NESTED("K002", "a checkpointed loop cannot be inside another loop: checkpoint the outer loop instead"),

    // Values files (lossc eval --values)
    VALUES_SYNTAX("V001", "invalid JSON: %s"),
    VALUES_NOT_OBJECT("V002", "the values file must hold one JSON object keyed by input and param names"),
    VALUES_MISSING("V003", "missing value for %s '%s' %s"),
    VALUES_UNKNOWN("V004", "'%s' is not an input or param of model %s"),
    VALUES_SHAPE("V005", "%s '%s' has shape %s, so its value must be %s, but it is %s"),
    VALUES_DUPLICATE("V006", "'%s' is given more than once"),
    VALUES_INT("V007", "int input '%s' takes integers in %s, but %s is %s"),
    VALUES_SIZES("V008", "inputs '%s' and '%s' must agree on dim %s, which varies per call, but give it %d and %d"),
    VALUES_NUMBER_RANGE("V009", "the value of '%s' holds %s, which is out of range for a double (the largest is 1.7976931348623157E308)"),

    // Writing files (every output of the command line and the Maven plugin)
    OUTPUT_DIRECTORY("W001", "cannot write: it is a directory"),
    OUTPUT_NOT_REGULAR("W002", "cannot write: it is %s, not a regular file"),
    OUTPUT_IS_INPUT("W003", "cannot write: it is also %s, which this command reads"),
    OUTPUT_TWICE("W004", "cannot write: it is also %s, which this command writes"),
    OUTPUT_CANNOT_WRITE("W005", "cannot write: %s"),
    OUTPUT_LOCKED("W006", "cannot write: another lossc process is writing it (it holds the lock %s)");

    private final String code;
    private final String template;
    private final boolean warning;

    DiagnosticKind(String code, String template) {
        this(code, template, false);
    }

    DiagnosticKind(String code, String template, boolean warning) {
        this.code = code;
        this.template = template;
        this.warning = warning;
    }

    /** True for a warning: reported, but the file still compiles (and the command exits 0). */
    public boolean warning() {
        return warning;
    }

    public String code() {
        return code;
    }

    public String template() {
        return template;
    }

    public String format(Object... args) {
        return String.format(java.util.Locale.ROOT, template, args);
    }
}
