# The tutorials' struct.pack('i') server, from ../shared/seeds/000_2b930a8c20297152.txt
# ("解决粘包问题 · struct模块 · server端"): it sends each line typed, framed by a 4-byte
# length, to the one client it accepts. It never reads.
#
# As in the tutorial, except (each marked "chat:"):
# - the port may be given as the first argument (the tests use a free port); the default
#   is the tutorial's 9090.
# Talks with: chat --connect 127.0.0.1:9090 --framing tutorial
import struct
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9090  # chat: port from argv

sk = socket.socket()
sk.bind(('127.0.0.1',port))
sk.listen()

conn,addr = sk.accept()
while True:
    s = input('>>>').encode('utf-8')
    pack_num = struct.pack('i',len(s))
    conn.send(pack_num)
    conn.send(s)
conn.close()
sk.close()
