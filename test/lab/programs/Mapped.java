/*
 * A plain Java client, as Java's default network stack runs it: every IPv4 literal goes to an AF_INET6 socket as
 * ::ffff:a.b.c.d. Usage: java Mapped HOST TCP_ECHO_PORT UDP_ECHO_PORT; prints one JSON line with what it observed.
 */
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

public class Mapped {
  public static void main(String[] args) throws Exception {
    InetAddress host = InetAddress.getByName(args[0]);
    String tcp;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, Integer.parseInt(args[1])), 5000);
      s.setSoTimeout(5000);
      s.getOutputStream().write("from java tcp\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] b = new byte[100];
      int n = in.read(b);
      tcp = new String(b, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
    } catch (Exception e) {
      tcp = "error: " + e.getMessage();
    }
    String udp, from = "";
    try (DatagramSocket d = new DatagramSocket()) {
      d.setSoTimeout(5000);
      byte[] msg = "from java udp".getBytes(StandardCharsets.US_ASCII);
      d.send(new DatagramPacket(msg, msg.length, host, Integer.parseInt(args[2])));
      DatagramPacket p = new DatagramPacket(new byte[100], 100);
      d.receive(p);
      udp = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
      from = p.getAddress().getHostAddress() + " " + p.getPort();
    } catch (Exception e) {
      udp = "error: " + e.getMessage();
    }
    System.out.println("{\"tcp\": " + quote(tcp) + ", \"udp\": " + quote(udp) + ", \"from\": " + quote(from) + "}");
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
