package io.github.multilevelcache.test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The RESP2 codec on canned bytes, no server involved.
 */
class RespClientTests {

	@Test
	void simpleAndBulkStrings() throws IOException {
		assertThat(render("+OK\r\n")).isEqualTo("OK");
		assertThat(render("$5\r\nhello\r\n")).isEqualTo("hello");
		assertThat(render("$0\r\n\r\n")).isEmpty();
		assertThat((byte[]) read("$4\r\na\r\nb\r\n")).isEqualTo("a\r\nb".getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void integers() throws IOException {
		assertThat(read(":42\r\n")).isEqualTo(42L);
		assertThat(render(":-7\r\n")).isEqualTo("-7");
	}

	@Test
	void nils() throws IOException {
		assertThat(read("$-1\r\n")).isNull();
		assertThat(read("*-1\r\n")).isNull();
		assertThat(render("$-1\r\n")).isNull();
	}

	@Test
	void arraysBecomeLines() throws IOException {
		assertThat(read("*2\r\n$1\r\na\r\n:1\r\n")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.containsExactly("a".getBytes(StandardCharsets.UTF_8), 1L);
		assertThat(render("*3\r\n$1\r\na\r\n$-1\r\n:3\r\n")).isEqualTo("a\nnull\n3");
		assertThat(render("*2\r\n*2\r\n+x\r\n+y\r\n$1\r\nz\r\n")).isEqualTo("x\ny\nz");
		assertThat(render("*0\r\n")).isEmpty();
	}

	@Test
	void errorsThrowWithTheirText() {
		assertThatIllegalStateException().isThrownBy(() -> read("-ERR unknown command 'FOO'\r\n"))
			.withMessage("ERR unknown command 'FOO'");
		assertThatIllegalStateException().isThrownBy(() -> read("*2\r\n+OK\r\n-WRONGTYPE oops\r\n"))
			.withMessage("WRONGTYPE oops");
	}

	@Test
	void truncatedRepliesFail() {
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> read("$10\r\nshort"));
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> read("+OK"));
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> read("?what\r\n"));
	}

	@Test
	void encodesCommandsAsArraysOfBulkStrings() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		RespClient.encode(new byte[][] { "SET".getBytes(StandardCharsets.UTF_8), "k".getBytes(StandardCharsets.UTF_8),
				new byte[] { 0, '\r', '\n' } }, out);
		assertThat(out.toByteArray())
			.isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
		assertThat(RespClient.render(List.of())).isEmpty();
	}

	private static Object read(String wire) throws IOException {
		return RespClient.read(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)));
	}

	private static String render(String wire) throws IOException {
		return RespClient.render(read(wire));
	}

}
