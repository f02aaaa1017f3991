package dev.quern.master.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MasterListTest {
  @Test
  void aClusterAddressListsEveryMasterOnceInOrder() {
    assertThat(MasterList.parse(" quern://127.0.0.1:7102,localhost:7101, 127.0.0.1:7102,[::1]:9 ")
        .masters()).containsExactly("127.0.0.1:7102", "localhost:7101", "[::1]:9");
  }

  @Test
  void anHttpAddressIsOneServer() {
    assertThat(MasterList.parse("http://127.0.0.1:8080/").masters())
        .containsExactly("127.0.0.1:8080");
    assertThat(MasterList.parse("HTTP://localhost:8080").toString())
        .isEqualTo("quern://localhost:8080");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "local[2]|is neither quern://",
      "127.0.0.1:7101|is neither quern://",
      "quern://|'' is not HOST:PORT",
      "quern://a:1,,b:2|'' is not HOST:PORT",
      "quern://host|'host' is not HOST:PORT",
      "quern://host:0|must be a number from 1 to 65535",
      "quern://host:http|must be a number from 1 to 65535",
      "quern://::1:80|in brackets",
      "http://a:1/ui|has a path",
      "http://a:1,b:2|http:// names one server",
  })
  void aBadAddressSaysWhatIsWrong(String text, String message) {
    assertThatThrownBy(() -> MasterList.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message).hasMessageContaining(text);
  }
}
