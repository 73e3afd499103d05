package dev.sqlcache.internal.jdbc;

import com.sun.source.util.JavacTask;

import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes the delegate classes of {@code dev.sqlcache.internal.jdbc}: one per JDBC interface, each forwarding every
 * method its interface declares to the real driver's object.
 *
 * <p>The interfaces are read as the compiler sees them for a given {@code --release}, not from the running JDK: a
 * build on JDK 25 with {@code --release 17} must generate, and can only compile, the Java 17 methods. Raising the
 * release and regenerating picks up what the newer JDK added. It needs nothing but a JDK, so the single-file
 * launcher runs it from the repository root:
 * <pre>
 * java proxy-driver/src/test/java/dev/sqlcache/internal/jdbc/DelegateGenerator.java 17 proxy-driver/src/main/java/dev/sqlcache/internal/jdbc
 * </pre>
 * {@code GeneratedDelegatesTest} fails when a committed delegate differs from this program's output.
 */
public final class DelegateGenerator {

    static final String SOURCE = "proxy-driver/src/test/java/dev/sqlcache/internal/jdbc/DelegateGenerator.java";
    static final String OUTPUT = "proxy-driver/src/main/java/dev/sqlcache/internal/jdbc";

    /**
     * One delegate class. {@code superclass} already implements {@code inherited}; the delegate leaves that
     * interface's methods alone, or a redeclaration in a newer JDK would bypass the proxy that intercepts them.
     */
    private record Delegate(String iface, String superclass, String inherited, boolean wrapsResultSets) {

        /** Extends {@link JdbcWrapper}, which keeps the {@link java.sql.Wrapper} contract. */
        static Delegate wrapper(String iface, boolean wrapsResultSets) {
            return new Delegate(iface, "JdbcWrapper<" + iface + ">", "Wrapper", wrapsResultSets);
        }

        /** Extends the proxy of the interface it extends, adding only the methods its own interface declares. */
        static Delegate subProxy(String iface, String superclass, String inherited) {
            return new Delegate(iface, superclass, inherited, false);
        }

        boolean extendsWrapper() {
            return inherited.equals("Wrapper");
        }

        String className() {
            return iface + "Delegate";
        }

        String field() {
            return extendsWrapper() ? "delegate" : Character.toLowerCase(iface.charAt(0)) + iface.substring(1);
        }
    }

    private static final List<Delegate> DELEGATES = List.of(
            Delegate.wrapper("Connection", false),
            Delegate.wrapper("Statement", false),
            Delegate.subProxy("PreparedStatement", "ProxyStatement", "Statement"),
            Delegate.subProxy("CallableStatement", "ProxyPreparedStatement", "PreparedStatement"),
            Delegate.wrapper("ResultSet", false),
            Delegate.wrapper("DatabaseMetaData", true));

    private static final String HEADER = """
            package dev.sqlcache.internal.jdbc;

            %s
            /**
             * Forwards every {@link %s} method to the real driver's object, unchanged.
             * Generated once from the JDK interface so that no method is forgotten; behaviour that differs from the real
             * driver lives only in the subclass, which overrides just what it intercepts.
             */
            @SuppressWarnings({"deprecation", "RedundantThrows"})
            abstract class %s extends %s implements %s {

            """;

    private static final String WRAPPER_CONSTRUCTOR = """
                /** The real driver's object. */
                protected final %1$s delegate;

                protected %2$s(%1$s delegate) {
                    super(delegate);
                    this.delegate = delegate;
                }
            """;

    private static final String SUB_PROXY_CONSTRUCTOR = """
                private final %1$s %3$s;

                protected %2$s(%1$s delegate, ProxyConnection connection, String sql) throws SQLException {
                    super(delegate, connection, sql);
                    this.%3$s = delegate;
                }
            """;

    private static final String WRAP = """

                /** Wraps a result set of the real metadata so that it leads back to the proxies, never to raw objects. */
                protected abstract ResultSet wrap(ResultSet resultSet) throws SQLException;
            """;

    private final Elements elements;
    private final Types types;

    private DelegateGenerator(Elements elements, Types types) {
        this.elements = elements;
        this.types = types;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].matches("[0-9]+")) {
            System.err.println("usage (from the repository root): java " + SOURCE + " <java release, as the build's --release> " + OUTPUT);
            System.exit(2);
        }
        Path directory = Path.of(args[1]);
        for (Map.Entry<String, String> file : generate(Integer.parseInt(args[0])).entrySet()) {
            Path path = directory.resolve(file.getKey());
            Files.writeString(path, file.getValue());
            System.out.println("wrote " + path);
        }
    }

    /** The delegates' source files, by file name, for the {@code java.sql} interfaces of the given Java release. */
    public static Map<String, String> generate(int release) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("DelegateGenerator needs a JDK; " + System.getProperty("java.home") + " has no compiler");
        }
        // No sources to compile: the task only answers questions about the API of that release (its ct.sym).
        JavacTask task = (JavacTask) compiler.getTask(null, null, null,
                List.of("--release", Integer.toString(release), "-Xlint:-options"), null, null);
        DelegateGenerator generator = new DelegateGenerator(task.getElements(), task.getTypes());
        String imports = generator.imports();
        Map<String, String> files = new LinkedHashMap<>();
        for (Delegate delegate : DELEGATES) {
            files.put(delegate.className() + ".java", generator.source(delegate, imports));
        }
        return files;
    }

    private TypeElement jdbc(String simpleName) {
        TypeElement type = elements.getTypeElement("java.sql." + simpleName);
        if (type == null) {
            throw new IllegalStateException("java.sql." + simpleName + " is not in this release's API");
        }
        return type;
    }

    /** What a delegate forwards: the methods its interface declares, less those its superclass already forwards. */
    private List<ExecutableElement> methods(Delegate delegate) {
        TypeElement iface = jdbc(delegate.iface());
        List<ExecutableElement> inherited = ElementFilter.methodsIn(elements.getAllMembers(jdbc(delegate.inherited())));
        return ElementFilter.methodsIn(iface.getEnclosedElements()).stream()
                .filter(m -> m.getModifiers().contains(Modifier.PUBLIC) && !m.getModifiers().contains(Modifier.STATIC))
                .filter(m -> inherited.stream().noneMatch(i -> elements.overrides(m, i, iface)))
                .sorted(firstGeneratedOrder())
                .collect(Collectors.toList());
    }

    /**
     * The order the delegates were first written in: by name, then by number of parameters, then by the parameters'
     * erasures as {@link Class#toString()} prints them. Kept so that a regeneration shows only what the JDK changed.
     */
    private Comparator<ExecutableElement> firstGeneratedOrder() {
        return Comparator.<ExecutableElement, String>comparing(m -> m.getSimpleName().toString())
                .thenComparingInt(m -> m.getParameters().size())
                .thenComparing(m -> m.getParameters().stream()
                        .map(p -> classToString(types.erasure(p.asType())))
                        .collect(Collectors.joining(",")));
    }

    private String classToString(TypeMirror erased) {
        if (erased.getKind().isPrimitive()) {
            return erased.toString();
        }
        if (erased.getKind() == TypeKind.ARRAY) {
            return "class " + descriptor(erased);
        }
        TypeElement element = (TypeElement) types.asElement(erased);
        return (element.getKind().isInterface() ? "interface " : "class ") + elements.getBinaryName(element);
    }

    /** An array's {@link Class#getName()}, e.g. {@code [I} or {@code [Ljava.lang.String;}. */
    private String descriptor(TypeMirror erased) {
        return switch (erased.getKind()) {
            case ARRAY -> "[" + descriptor(((ArrayType) erased).getComponentType());
            case BOOLEAN -> "Z";
            case BYTE -> "B";
            case CHAR -> "C";
            case SHORT -> "S";
            case INT -> "I";
            case LONG -> "J";
            case FLOAT -> "F";
            case DOUBLE -> "D";
            default -> "L" + elements.getBinaryName((TypeElement) types.asElement(erased)) + ";";
        };
    }

    /** One import list for all delegates: every type any of them names, {@code java.sql} as a wildcard. */
    private String imports() {
        Map<String, TypeElement> bySimpleName = new HashMap<>();
        Set<String> imports = new TreeSet<>();
        for (Delegate delegate : DELEGATES) {
            for (ExecutableElement method : methods(delegate)) {
                List<TypeMirror> named = new ArrayList<>();
                named.add(method.getReturnType());
                method.getParameters().forEach(p -> named.add(p.asType()));
                named.addAll(method.getThrownTypes());
                method.getTypeParameters().forEach(t -> named.addAll(t.getBounds()));
                named.forEach(type -> collectImports(type, bySimpleName, imports));
            }
        }
        return imports.stream().map(i -> "import " + i + ";\n").collect(Collectors.joining());
    }

    private void collectImports(TypeMirror type, Map<String, TypeElement> bySimpleName, Set<String> imports) {
        switch (type.getKind()) {
            case ARRAY -> collectImports(((ArrayType) type).getComponentType(), bySimpleName, imports);
            case WILDCARD -> {
                WildcardType wildcard = (WildcardType) type;
                if (wildcard.getExtendsBound() != null) {
                    collectImports(wildcard.getExtendsBound(), bySimpleName, imports);
                }
                if (wildcard.getSuperBound() != null) {
                    collectImports(wildcard.getSuperBound(), bySimpleName, imports);
                }
            }
            case DECLARED -> {
                DeclaredType declared = (DeclaredType) type;
                TypeElement element = outermost((TypeElement) declared.asElement());
                // Simple names only work while no two named types share one (java.sql.Date and java.util.Date would).
                TypeElement clash = bySimpleName.putIfAbsent(element.getSimpleName().toString(), element);
                if (clash != null && !clash.equals(element)) {
                    throw new IllegalStateException(clash + " and " + element + " share a simple name; DelegateGenerator would have to qualify one");
                }
                String pkg = elements.getPackageOf(element).getQualifiedName().toString();
                if (pkg.equals("java.sql")) {
                    imports.add("java.sql.*");
                } else if (!pkg.equals("java.lang")) {
                    imports.add(element.getQualifiedName().toString());
                }
                declared.getTypeArguments().forEach(argument -> collectImports(argument, bySimpleName, imports));
            }
            default -> { }
        }
    }

    private static TypeElement outermost(TypeElement element) {
        while (element.getEnclosingElement() instanceof TypeElement enclosing) {
            element = enclosing;
        }
        return element;
    }

    private String source(Delegate delegate, String imports) {
        String iface = delegate.iface();
        StringBuilder out = new StringBuilder(HEADER.formatted(imports, iface, delegate.className(), delegate.superclass(), iface));
        out.append((delegate.extendsWrapper() ? WRAPPER_CONSTRUCTOR : SUB_PROXY_CONSTRUCTOR)
                .formatted(iface, delegate.className(), delegate.field()));
        if (delegate.wrapsResultSets()) {
            out.append(WRAP);
        }
        for (ExecutableElement method : methods(delegate)) {
            out.append('\n');
            appendMethod(out, method, delegate);
        }
        return out.append("}\n").toString();
    }

    private void appendMethod(StringBuilder out, ExecutableElement method, Delegate delegate) {
        List<String> parameters = new ArrayList<>();
        List<String> arguments = new ArrayList<>();
        for (int i = 0; i < method.getParameters().size(); i++) {
            TypeMirror type = method.getParameters().get(i).asType();
            boolean varargs = method.isVarArgs() && i == method.getParameters().size() - 1;
            parameters.add((varargs ? render(((ArrayType) type).getComponentType()) + "..." : render(type)) + " p" + (i + 1));
            arguments.add("p" + (i + 1));
        }
        out.append("    @Override\n    public ");
        if (!method.getTypeParameters().isEmpty()) {
            out.append(method.getTypeParameters().stream().map(this::render).collect(Collectors.joining(", ", "<", "> ")));
        }
        TypeMirror returnType = method.getReturnType();
        out.append(render(returnType)).append(' ').append(method.getSimpleName())
                .append('(').append(String.join(", ", parameters)).append(')');
        if (!method.getThrownTypes().isEmpty()) {
            out.append(" throws ").append(method.getThrownTypes().stream().map(this::render).collect(Collectors.joining(", ")));
        }
        String call = delegate.field() + "." + method.getSimpleName() + "(" + String.join(", ", arguments) + ")";
        if (returnType.getKind() == TypeKind.VOID) {
            out.append(" {\n        ").append(call);
        } else if (delegate.wrapsResultSets() && types.isSameType(returnType, jdbc("ResultSet").asType())) {
            out.append(" {\n        return wrap(").append(call).append(')');
        } else {
            out.append(" {\n        return ").append(call);
        }
        out.append(";\n    }\n");
    }

    private String render(TypeParameterElement parameter) {
        List<? extends TypeMirror> bounds = parameter.getBounds();
        boolean unbounded = bounds.isEmpty() || bounds.size() == 1
                && types.isSameType(bounds.get(0), elements.getTypeElement("java.lang.Object").asType());
        return parameter.getSimpleName()
                + (unbounded ? "" : bounds.stream().map(this::render).collect(Collectors.joining(" & ", " extends ", "")));
    }

    /** A type as source code names it: simple names (the imports cover them), with type arguments and wildcards. */
    private String render(TypeMirror type) {
        return switch (type.getKind()) {
            case ARRAY -> render(((ArrayType) type).getComponentType()) + "[]";
            case TYPEVAR -> types.asElement(type).getSimpleName().toString();
            case WILDCARD -> {
                WildcardType wildcard = (WildcardType) type;
                if (wildcard.getExtendsBound() != null) {
                    yield "? extends " + render(wildcard.getExtendsBound());
                }
                yield wildcard.getSuperBound() != null ? "? super " + render(wildcard.getSuperBound()) : "?";
            }
            case DECLARED -> {
                DeclaredType declared = (DeclaredType) type;
                String name = nestedName((TypeElement) declared.asElement());
                yield declared.getTypeArguments().isEmpty() ? name : name + declared.getTypeArguments().stream()
                        .map(this::render).collect(Collectors.joining(", ", "<", ">"));
            }
            default -> type.toString();
        };
    }

    /** {@code Outer.Inner} for a nested type: its outermost type is the one imported. */
    private static String nestedName(TypeElement element) {
        String name = element.getSimpleName().toString();
        while (element.getEnclosingElement() instanceof TypeElement enclosing) {
            element = enclosing;
            name = element.getSimpleName() + "." + name;
        }
        return name;
    }
}
