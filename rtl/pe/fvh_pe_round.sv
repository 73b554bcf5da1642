// Round unit of the scalable-precision PE (thesis Fig. 3.13): the signed 8-bit
// weight {w_h, w_l} becomes a signed 4-bit value ~ w / 16 with round-half-to-even
// and saturation (a rounded +8, from w = 120..127, becomes +7).
//   w_l < 8  -> w_h;   w_l > 8 -> w_h + 1;   w_l == 8 -> the even one of w_h, w_h + 1.
module fvh_pe_round (
    input  logic [7:0] w,
    output logic [3:0] wr
);
  logic up;
  assign up = w[3] & ((|w[2:0]) | w[4]);
  assign wr = (up && w[7:4] == 4'sd7) ? 4'd7 : w[7:4] + {3'd0, up};
endmodule
