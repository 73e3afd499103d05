import java.security.MessageDigest;
public class CloneBench {
    public static void main(String[] a) throws Exception {
        byte[] params = new byte[60];
        byte[] out = new byte[32];
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int len : new int[] {64, 100, 128, 160, 192, 256, 400, 800}) {
            byte[] prefix = new byte[len];
            MessageDigest kept = MessageDigest.getInstance("SHA-256");
            kept.update(prefix);
            long best1 = Long.MAX_VALUE, best2 = Long.MAX_VALUE;
            for (int round = 0; round < 15; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 200_000; i++) { md.reset(); md.update(prefix); md.update(params); md.digest(out, 0, 32); }
                long t1 = System.nanoTime();
                for (int i = 0; i < 200_000; i++) { MessageDigest c = (MessageDigest) kept.clone(); c.update(params); c.digest(out, 0, 32); }
                long t2 = System.nanoTime();
                best1 = Math.min(best1, (t1 - t0) / 200); best2 = Math.min(best2, (t2 - t1) / 200);
            }
            System.out.printf("prefix %4d bytes: rehash %4d ns, clone %4d ns%n", len, best1, best2);
        }
    }
}
