package dev.sparknn.ml;

import org.apache.spark.ml.util.Identifiable$;

/**
 * The uid of a stage under construction. Spark's Scala superclasses create their {@code Param}s, which read
 * {@code uid()}, inside their own constructors, before a Java subclass's constructor body or field initialisers run;
 * a {@code (String uid)} constructor therefore hands its uid over here first ({@code this(Uids.pending(uid))}), and
 * {@code uid()} takes it from here on its first call.
 */
final class Uids {

    private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

    private Uids() {
    }

    /** Remembers {@code uid} for the constructor about to run on this thread; returns it. */
    static String pending(String uid) {
        PENDING.set(uid);
        return uid;
    }

    /** The uid handed over by {@link #pending}, consumed; a new random one with this prefix if none was. */
    static String take(String prefix) {
        String uid = PENDING.get();
        PENDING.remove();
        return uid != null ? uid : Identifiable$.MODULE$.randomUID(prefix);
    }

    static String random(String prefix) {
        return Identifiable$.MODULE$.randomUID(prefix);
    }
}
