"""All RC networks of a SPEF in flat arrays (one row per net, node or resistor), the
form the reader produces and the binding and reduction work on; per-net
:class:`~finevh.timing.rcnet.RcNet` views are made on demand.

Units: capacitance pF, resistance kOhm. Node indices inside ``res_a`` / ``res_b`` are
local to their net (0 = the net's first node), as in :class:`RcNet`; the global index
of local node ``j`` of net ``k`` is ``node_ptr[k] + j``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .rcnet import RcNet


@dataclass
class RcFlat:
    names: list[str]            # net names (netlist spelling), file order
    lines: np.ndarray           # int64[n] line of each *D_NET (0: not from a file)
    node_ptr: np.ndarray        # int64[n+1] first global node of each net
    cap: np.ndarray             # float64[N] grounded capacitance per node (coupling included), pF
    res_ptr: np.ndarray         # int64[n+1] first resistor of each net
    res_a: np.ndarray           # int64[R] resistor end nodes, local to the net
    res_b: np.ndarray
    res: np.ndarray             # float64[R] kOhm
    n_conn: np.ndarray          # int64[n] nodes of each net's *CONN section (its first nodes)
    node_blob: str = ""         # node names joined by "\n" (global order), or:
    name_buf: np.ndarray | None = field(default=None, repr=False)   # uint8 resolved names (compiled reader)
    node_sp: np.ndarray | None = field(default=None, repr=False)    # int64[N, 2] span of each node's name
    _node_names: list[str] | None = field(default=None, repr=False)

    @property
    def n_nets(self) -> int:
        return len(self.names)

    def node_names(self) -> list[str]:
        """Names of all nodes in global order (``inst:pin``, a port, ``net:id``)."""
        if self._node_names is None:
            if self.node_sp is not None:
                text = self.name_buf.tobytes().decode()
                self._node_names = [text[a:b] for a, b in self.node_sp.tolist()]
            else:
                self._node_names = self.node_blob.split("\n") if int(self.node_ptr[-1]) else []
        return self._node_names

    def totals(self) -> np.ndarray:
        """float64[n]: sum of each net's capacitors (pF, :attr:`RcNet.total`)."""
        out = np.zeros(self.n_nets)
        starts = self.node_ptr[:-1]
        full = self.node_ptr[1:] > starts          # nets without nodes keep 0
        if full.any():
            out[full] = np.add.reduceat(self.cap, starts[full])
        return out

    def net(self, k: int) -> RcNet:
        """Net ``k`` as an :class:`RcNet` (arrays are views into this object's)."""
        a, b = int(self.node_ptr[k]), int(self.node_ptr[k + 1])
        r0, r1 = int(self.res_ptr[k]), int(self.res_ptr[k + 1])
        nodes = self.node_names()[a:b]
        return RcNet(self.names[k], int(self.lines[k]), nodes, self.cap[a:b], self.res_a[r0:r1],
                     self.res_b[r0:r1], self.res[r0:r1], nodes[:int(self.n_conn[k])])

    def to_nets(self) -> list[RcNet]:
        return [self.net(k) for k in range(self.n_nets)]

    @classmethod
    def from_nets(cls, nets: list[RcNet]) -> "RcFlat":
        """The flat form of a list of networks (conn nodes must be each net's first
        nodes, as every reader writes them)."""
        i64 = np.int64
        n_nodes = np.array([len(n.nodes) for n in nets], dtype=i64)
        n_res = np.array([len(n.res) for n in nets], dtype=i64)
        cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
        names = [x for n in nets for x in n.nodes]
        for n in nets:
            if n.conn != n.nodes[:len(n.conn)]:
                raise ValueError(f"net {n.name}: *CONN nodes are not its first nodes")
        return cls([n.name for n in nets], np.array([n.line for n in nets], dtype=i64),
                   np.concatenate([[0], np.cumsum(n_nodes)]).astype(i64),
                   cat([np.asarray(n.cap, dtype=np.float64) for n in nets], np.float64),
                   np.concatenate([[0], np.cumsum(n_res)]).astype(i64),
                   cat([np.asarray(n.res_a) for n in nets], i64), cat([np.asarray(n.res_b) for n in nets], i64),
                   cat([np.asarray(n.res, dtype=np.float64) for n in nets], np.float64),
                   np.array([len(n.conn) for n in nets], dtype=i64), "\n".join(names), names)
